/** Software costs of nothing (no ACK-completed sends): hand-made models in tests add only the terms they check. */
import { DEFAULT_SOFTWARE, type SoftwareCosts } from "../../model/link-model.js";

export const ZERO_SOFTWARE: SoftwareCosts = { ...(Object.fromEntries(Object.keys(DEFAULT_SOFTWARE).map((term) => [term, 0])) as unknown as SoftwareCosts), ackFromBytes: Infinity };
