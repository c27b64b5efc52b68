export type { DistanceRow, ExperimentResults, LinkSummary, ReportRow } from "./types.js";
export { summarize, efficiencyFigures, type SummaryLine, type EfficiencyFigure } from "./summary.js";
export { SUMMARY_HEADER, summaryCells, markdownTable, textTable } from "./table.js";
export { formatBytes, formatTime, formatPct, formatGBps } from "./format.js";
export { lineChart, escapeXml, type ChartSpec, type Series } from "./svg.js";
export { timeVsSizeSvg, timeVsDistanceSvg, lossVsWanSvg, type LossPoint } from "./plots.js";
export { reportMarkdown, efficiencySection, REPORT_FILES } from "./markdown.js";
export { findPngRenderer, type PngRenderer } from "./png.js";
export { writeReport, type WrittenReport, type WriteOptions } from "./write.js";
