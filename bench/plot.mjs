// Plots a results file of bench/run.mjs with gnuplot (Debian: apt-get install gnuplot-nox): latency, bandwidth,
// bidirectional bandwidth and allreduce against message size, one line per implementation, the machine and MPI in
// the title.
//
//   node bench/plot.mjs bench/results/openmpi-2026-11-25.json     (writes the .png beside it)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const PANELS = [
  { case: 'latency', title: 'ping-pong latency (one way)', ylabel: 'microseconds' },
  { case: 'bw', title: 'bandwidth (window of 64 isends)', ylabel: 'MB/s' },
  { case: 'bibw', title: 'bidirectional bandwidth', ylabel: 'MB/s' },
  { case: 'allreduce', title: 'allreduce (doubles, SUM)', ylabel: 'microseconds per call' },
];
const STYLE = { mpi4js: 'lc rgb "#d62728" pt 7', c: 'lc rgb "#1f77b4" pt 5', mpi4py: 'lc rgb "#2ca02c" pt 9' };

/** Renders `results` to the PNG `file`: { ok: true, file } or { ok: false, why }. */
export function plot(results, file) {
  const panels = PANELS.filter((p) => results.rows.some((r) => r.case === p.case));
  if (panels.length === 0) return { ok: false, why: 'no latency, bandwidth or allreduce case was run' };
  const impls = Object.keys(results.implementations);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mpi4js-plot-'));
  const clean = (s) => String(s).replace(/["\\]/g, '');
  const quote = (s) => `"${clean(s)}"`;
  const script = [
    `set terminal pngcairo size 1400,${panels.length > 2 ? 1000 : 520} font "DejaVu Sans,11"`,
    `set output ${quote(path.resolve(file))}`,
    `set multiplot layout ${panels.length > 2 ? 2 : 1},2 title "${clean(
      `${impls.map((impl) => (impl === 'c' ? 'C' : impl)).join(' vs ')}: ${results.library}, ${results.ranks} ranks, medians of ${results.rounds} rounds ` +
      `(${results.date.slice(0, 10)})`)}\\n${clean(`${results.machine.cpu}, ${results.machine.cores} cores, ` +
      `${results.machine.kernel}, Node ${results.machine.node}`)}" font ",12"`,
    'set logscale x 2', 'set format x "%.0b%B"', 'set xlabel "message size (bytes; per rank for allreduce)"',
    'set grid', 'set key top left', 'set pointsize 0.9',
  ];
  for (const panel of panels) {
    const lines = [];
    for (const impl of impls) {
      const points = results.rows.filter((r) => r.case === panel.case && Number.isFinite(r.median[impl]));
      if (points.length === 0) continue;
      const data = path.join(dir, `${panel.case}-${impl}.dat`);
      writeFileSync(data, points.map((r) => `${r.bytes} ${r.median[impl]}`).join('\n') + '\n');
      lines.push(`${quote(data)} using 1:2 with linespoints ${STYLE[impl] ?? ''} lw 2 title ${quote(results.implementations[impl])}`);
    }
    script.push(`set title ${quote(panel.title)}`, `set ylabel ${quote(panel.ylabel)}`,
      'set logscale y 10', 'set format y "%g"', `set key ${panel.case.endsWith('bw') ? 'bottom right' : 'top left'}`,
      `plot ${lines.join(', ')}`);
  }
  script.push('unset multiplot');
  const gnuplot = spawnSync('gnuplot', [], { input: script.join('\n') + '\n', encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (gnuplot.error) return { ok: false, why: 'gnuplot is not installed (Debian: apt-get install gnuplot-nox)' };
  if (gnuplot.status !== 0) return { ok: false, why: `gnuplot failed: ${gnuplot.stderr.trim()}` };
  return { ok: true, file };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2];
  if (!input) {
    console.error('usage: node bench/plot.mjs RESULTS.json');
    process.exit(2);
  }
  const image = plot(JSON.parse(readFileSync(input, 'utf8')), input.replace(/\.json$/, '') + '.png');
  console.log(image.ok ? `plot in ${image.file}` : `no plot: ${image.why}`);
  process.exitCode = image.ok ? 0 : 1;
}
