// What load benchmarks report about where they ran, and how they read a process's CPU.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** User + system CPU seconds a process has used so far, from /proc (Linux). */
export function procCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine, as a report's bullet lines, for autocannon runs at `connections`. */
export function machine(connections: number): string[] {
  const cpu = os.cpus();
  return [
    `- CPU: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length} (\`nproc\` ${os.availableParallelism()})`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${os.type()} ${os.release()}`,
    `- Node.js ${process.version}; PostgreSQL on loopback; autocannon in the same machine, ${connections} connections`,
  ];
}

/** Where a benchmark ran, as its JSON records it. */
export interface MachineFigures {
  cpu: string;
  cpus: number;
  memoryBytes: number;
  node: string;
}

export function machineFigures(): MachineFigures {
  const cpu = os.cpus();
  return { cpu: cpu[0]?.model ?? 'unknown', cpus: cpu.length, memoryBytes: os.totalmem(), node: process.version };
}
