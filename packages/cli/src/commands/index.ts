import type { Command } from "../command.js";
import { controlCommands } from "./control.js";
import { demo } from "./demo.js";
import { enqueue } from "./enqueue.js";
import { processes, queues, stats } from "./info.js";
import { queue } from "./queue.js";
import { setCommands } from "./sets.js";
import { signalCommands } from "./signal.js";
import { top } from "./top.js";
import { web } from "./web.js";
import { work } from "./work.js";

/** Every `verk` command, in help order. */
export const COMMANDS: readonly Command[] = [
  work,
  enqueue,
  queues,
  stats,
  processes,
  queue,
  ...setCommands,
  ...controlCommands,
  ...signalCommands,
  top,
  web,
  demo,
];
