import type { Command } from "../command.js";
import { controlCommands } from "./control.js";
import { demo } from "./demo.js";
import { enqueue } from "./enqueue.js";
import { processes, queues, stats } from "./info.js";
import { setCommands } from "./sets.js";
import { top } from "./top.js";
import { work } from "./work.js";

/** Every `verk` command, in help order. */
export const COMMANDS: readonly Command[] = [
  work,
  enqueue,
  queues,
  stats,
  processes,
  ...setCommands,
  ...controlCommands,
  top,
  demo,
];
