import { visibleControls } from "../util/visible.js";

/**
 * A deep copy of a report model with every string made safe to show (see util/visible.ts). The
 * JSON population keeps the raw values.
 */
export function presentable<T>(value: T): T {
  if (typeof value === "string") return visibleControls(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => presentable(v)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, presentable(v)])) as T;
  }
  return value;
}
