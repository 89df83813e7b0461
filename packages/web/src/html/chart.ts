import { html, jsonForScript, type SafeHtml } from "./escape.js";

/** One line of a chart. */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** A CSS colour name of the palette: `ok`, `bad`, `warn`, `info`, `muted`. */
  readonly tone: "ok" | "bad" | "warn" | "info" | "muted";
}

/** A time chart drawn by uPlot in the browser from JSON embedded in the page. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** Epoch seconds. */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** Unit shown on the axis, e.g. `"jobs/min"`, `"ms"`, `"%"`. */
  readonly unit: string;
  /** Bars instead of lines. */
  readonly bars?: boolean;
}

/** The chart's container and its data (a non-executable JSON script, escaped). */
export function chart(spec: ChartSpec): SafeHtml {
  return html`<figure class="chart-box">
<figcaption>${spec.title}</figcaption>
<div class="chart" id="${spec.id}" role="img" aria-label="${spec.title}"></div>
<script type="application/json" class="chart-data" data-for="${spec.id}">${jsonForScript(spec)}</script>
</figure>`;
}
