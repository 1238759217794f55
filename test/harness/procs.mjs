// Process helpers shared by the test orchestrator (run.mjs) and the job-test helper (mpirun.mjs).
//
// Every job the harness starts is spawned detached (its own process group) with a unique tag in its
// environment. MPI launchers pass their environment on to the ranks, and some put the ranks in
// process groups of their own, so killing the launcher's group is not always enough: killTagged()
// finds the leftovers by that tag (in /proc/<pid>/environ) and kills them by pid.

import fs from 'node:fs';
import crypto from 'node:crypto';

export function newTag(prefix = 'mpi4js') {
  return `${prefix}-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
}

// Pids of the processes (other than this one) whose environment has NAME=TAG.
export function findTagged(name, tag) {
  const needle = Buffer.from(`${name}=${tag}\0`);
  const pids = [];
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return pids; // no /proc: nothing we can do
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let env;
    try {
      env = fs.readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or not ours
    }
    const at = env.indexOf(needle);
    if (at === 0 || (at > 0 && env[at - 1] === 0)) pids.push(pid);
  }
  return pids;
}

// Kill (SIGKILL) every process tagged NAME=TAG; returns how many were signalled.
export function killTagged(name, tag, signal = 'SIGKILL') {
  let n = 0;
  for (const pid of findTagged(name, tag)) {
    try {
      process.kill(pid, signal);
      n++;
    } catch {
      // already gone
    }
  }
  return n;
}

// Signal a whole process group (the group of a child spawned with detached: true).
export function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
