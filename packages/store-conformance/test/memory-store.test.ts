import { MemoryStore } from "@verk/core";
import { runStoreConformance } from "../src/index.js";

let shared = new MemoryStore();

runStoreConformance("MemoryStore", async () => ({
  store: () => shared,
  reset: async () => {
    shared = new MemoryStore();
  },
  close: async () => {},
}));
