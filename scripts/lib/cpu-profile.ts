/**
 * Where a process spent its CPU, from the V8 profile `node --cpu-prof` writes at exit: self time
 * by function and by area (a package under node_modules, a folder of this repo, Node's own code),
 * counting only the samples taken inside given windows of the monotonic clock, so that start-up
 * and whatever ran between measurements are left out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock (CLOCK_MONOTONIC, as process.hrtime). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of the monotonic clock, in microseconds: `process.hrtime.bigint() / 1000n`. */
export interface Window {
  start: number;
  end: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Of the process's sampled time in the windows, idle excluded. */
  share: number;
}

export interface ProfileSummary {
  /** Sampled non-idle time inside the windows. */
  busyMs: number;
  /** False when no sample fell in a window and the whole profile was counted instead. */
  windowed: boolean;
  functions: SelfTime[];
  /** By the package or folder whose code ran, Node's own work (sockets, streams, timers) counted to the code that called it. */
  areas: SelfTime[];
}

export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** Where a script lives, in a word (`pkg @prisma/client`, `gateway/src`), or undefined for Node's own code. */
function areaOf(url: string): string | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = file.slice(modules + '/node_modules/'.length).split('/');
    return `pkg ${scope!.startsWith('@') ? `${scope}/${name}` : scope}`;
  }
  const relative = path.relative(repoRoot, file);
  if (relative.startsWith('..')) return file;
  return relative
    .split('/')
    .slice(0, 3)
    .join('/')
    .replace(/\/[^/]*\.\w+$/, '');
}

function ranked(totals: Map<string, number>, busy: number, top: number): SelfTime[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, micros]) => ({ name, ms: micros / 1000, share: busy ? micros / busy : 0 }));
}

export function summarizeProfile(file: string, windows: Window[], top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // The nearest frame, this one or a caller, that is not Node's own: what the time was spent for.
  const areas = new Map<number, string>();
  const attributed = (id: number): string => {
    let area = areas.get(id);
    if (area === undefined) {
      const { url, functionName } = nodes.get(id)!.callFrame;
      const parent = parents.get(id);
      area =
        areaOf(url) ??
        (parent === undefined || nodes.get(parent)!.callFrame.functionName === '(root)'
          ? `(Node: ${functionName || 'anonymous'})`
          : attributed(parent));
      areas.set(id, area);
    }
    return area;
  };
  const inWindow = (at: number) => windows.some((window) => at >= window.start && at <= window.end);
  let at = profile.startTime;
  const times = profile.timeDeltas.map((delta) => (at += delta));
  const windowed = times.some(inWindow);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    // A sample's time is the gap to the next one.
    const micros = (times[index + 1] ?? times[index]!) - times[index]!;
    if (windowed && !inWindow(times[index]!)) return;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    busy += micros;
    const where = url ? ` ${path.relative(repoRoot, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const area = attributed(id);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  });
  return { busyMs: busy / 1000, windowed, functions: ranked(byFunction, busy, top), areas: ranked(byArea, busy, top) };
}
