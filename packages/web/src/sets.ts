import type { AdminSetName, MoveAction } from "@verk/redis-store";
import type { Tab } from "./html/layout.js";
import type { DashboardAction } from "./options.js";

/** An action on set entries as the admin API names it. */
export type SetAction = MoveAction | "delete";

/** One of the three sorted-set pages. */
export interface SetPageSpec {
  /** URL segment and tab. */
  readonly slug: "retries" | "scheduled" | "dead";
  readonly set: AdminSetName;
  readonly title: string;
  readonly noun: string;
  readonly scoreLabel: string;
  readonly actions: readonly SetAction[];
}

/** The retries, scheduled and dead pages. */
export const SET_PAGES: readonly SetPageSpec[] = [
  {
    slug: "retries",
    set: "retry",
    title: "Retries",
    noun: "retry",
    scoreLabel: "Next retry",
    actions: ["retry", "kill", "delete"],
  },
  {
    slug: "scheduled",
    set: "schedule",
    title: "Scheduled",
    noun: "scheduled job",
    scoreLabel: "Runs",
    actions: ["enqueue", "kill", "delete"],
  },
  {
    slug: "dead",
    set: "dead",
    title: "Dead",
    noun: "dead job",
    scoreLabel: "Died",
    actions: ["retry", "delete"],
  },
];

/** The dashboard action (for `authorize`) of a set action. */
export const ACTION_OF: Readonly<Record<SetAction, DashboardAction>> = {
  retry: "job.retry",
  enqueue: "job.enqueue",
  kill: "job.kill",
  delete: "job.delete",
};

/** Button labels. */
export const LABEL: Readonly<Record<SetAction, string>> = {
  retry: "Retry now",
  enqueue: "Enqueue now",
  kill: "Kill",
  delete: "Delete",
};

/** Past tense, for messages. */
export const DONE: Readonly<Record<SetAction, string>> = {
  retry: "retried",
  enqueue: "enqueued",
  kill: "killed",
  delete: "deleted",
};

/** Destructive actions ask for confirmation when applied to several jobs. */
export function destructive(action: SetAction): boolean {
  return action === "delete" || action === "kill";
}

/** The spec of a tab. */
export function setSpec(slug: string): SetPageSpec | undefined {
  return SET_PAGES.find((s) => s.slug === slug);
}

/** The tab of a set page. */
export function tabOf(spec: SetPageSpec): Tab {
  return spec.slug;
}
