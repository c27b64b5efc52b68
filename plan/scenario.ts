/** What a scenario file describes (scenarios/*.json): the model, its compute, the sites and the WAN, the strategies to compare. */
import type { CongestionControl } from "../model/tcp.js";

export type Compression = "fp32" | "fp16" | "int8" | "4bit";
/** Bytes per element sent for each outer-gradient compression. */
export const COMPRESSION_BYTES: Readonly<Record<Compression, number>> = { fp32: 4, fp16: 2, int8: 1, "4bit": 0.5 };

export const OUTER_ALGORITHMS = ["ring", "bidir-ring", "tree", "hierarchical"] as const;
export type OuterAlgorithm = (typeof OUTER_ALGORITHMS)[number];

export interface StrategySpec {
  /** One of STRATEGY_NAMES (plan/strategies.ts). */
  readonly name: string;
  /** DiLoCo family: inner steps between outer syncs (H). */
  readonly innerSteps?: number;
  /** DiLoCo family: how the outer gradient travels. */
  readonly compression?: Compression;
  /** DiLoCo family: the outer all-reduce (default hierarchical; INTELLECT-1 ran a ring). */
  readonly outer?: OuterAlgorithm;
  /** Streaming DiLoCo: fragments synced in turn. */
  readonly fragments?: number;
  /** Streaming DiLoCo: inner steps a fragment's sync may overlap (τ). */
  readonly overlapSteps?: number;
  /** Top-k: share of the gradient's elements sent (values + 4-byte indices). */
  readonly density?: number;
}

export interface SiteSpec {
  readonly name: string;
  readonly gpus: number;
  /** Coordinates (degrees) for a site that is not a built-in region. */
  readonly lat?: number;
  readonly lon?: number;
}

export interface LinkSpec {
  readonly between: readonly [string, string];
  /** Great-circle km (inflated by wan.routeInflation like coordinates are). */
  readonly km?: number;
  /** Measured round trip, ms (used as is). */
  readonly rttMs?: number;
  /** This pair's bandwidth, each direction, Gbit/s (default wan.gbit). */
  readonly gbit?: number;
  /** This pair's random segment loss, percent (default wan.lossPct). */
  readonly lossPct?: number;
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** Where each published figure comes from. */
  readonly sources: readonly string[];
  /** Every figure the sources did not publish, and what was assumed instead. */
  readonly assumptions: readonly string[];
  readonly model: {
    readonly parameters: number;
    /** Bytes per gradient element on the wire (2: bf16). */
    readonly bytesPerElement: number;
    /** The unit of overlap: gradients are bucketed per layer. */
    readonly layers: number;
  };
  /** Either stepSeconds (measured on one site) or tokensPerStep + peakTflopsPerGpu + mfu (6·P·tokens / (GPUs·peak·MFU)). */
  readonly compute: {
    readonly stepSeconds?: number;
    readonly tokensPerStep?: number;
    readonly peakTflopsPerGpu?: number;
    readonly mfu?: number;
    /** Share of a step during which gradients become ready and their sync can hide (backward ≈ 2/3 of forward + backward). */
    readonly overlapFraction?: number;
  };
  /** Inside a replica: the data-parallel group (what crosses sites) is GPUs / (tensor × pipeline). */
  readonly parallelism: { readonly tensor: number; readonly pipeline: number };
  readonly intraSite: {
    /** Scale-out bandwidth per GPU, each direction, Gbit/s (InfiniBand NDR: 400). */
    readonly gbitPerGpu: number;
    readonly latencyUs?: number;
    /** Reduction speed per GPU, GB/s. */
    readonly reduceGBps?: number;
  };
  readonly sites: readonly SiteSpec[];
  readonly wan: {
    /** Bandwidth of every site pair (mesh) or loop segment, each direction, Gbit/s. */
    readonly gbit: number;
    /** "mesh" (default): a link per site pair; "loop": sites in order on one fiber loop of loopKm. */
    readonly shape?: "mesh" | "loop";
    readonly loopKm?: number;
    /** Route length / great circle (default 1.6 on a mesh, 1 on a loop whose km is already fiber). */
    readonly routeInflation?: number;
    /** One-way fixed overhead, ms (default 4 on a mesh, 0 on a loop). */
    readonly overheadMs?: number;
    readonly links?: readonly LinkSpec[];
    /** Per-connection window cap, bytes (none by default: RDMA / tuned TCP); with it a flow moves at most window/RTT. */
    readonly windowBytes?: number;
    /** Connections per flow; flows = tensor × pipeline (each shard group syncs its own slice). */
    readonly streamsPerFlow?: number;
    /** Random segment loss of every link, percent (default 0): each connection then moves at most its congestion control's loss response. */
    readonly lossPct?: number;
    /** Congestion control of the WAN connections (default cubic, Linux's). */
    readonly cc?: CongestionControl;
    /**
     * Whether a connection silent for longer than its RTO restarts its window (Linux's
     * tcp_slow_start_after_idle, on by default in the kernel). Default false: the planner's WAN is
     * RDMA or tuned TCP, as without windowBytes; true makes every op that follows a silent stretch
     * (compute, DiLoCo's H inner steps) pay slow start again.
     */
    readonly slowStartAfterIdle?: boolean;
  };
  readonly strategies?: ReadonlyArray<string | StrategySpec>;
}

/** Strategies the planner knows; "+overlap" buckets the gradient per layer and syncs it during the backward pass. */
export const STRATEGY_NAMES = [
  "ring", "ring+overlap", "bidir-ring", "bidir-ring+overlap", "tree", "tree+overlap",
  "hierarchical", "hierarchical+overlap", "topk", "topk+overlap", "diloco", "streaming-diloco",
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
