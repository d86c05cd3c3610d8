// The browser client's structure (web/README.md): no import cycle among its
// modules (a type-only import is not one), no module-level mutable state in
// the app, and no view reading relay JSON: answers become typed values in
// answers.ts, and only relay.ts and answers.ts touch the answers' JSON.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

declare const SHUTTLE_WEB_DIR: string;
const src = `${SHUTTLE_WEB_DIR}src/`;

function modules(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of ['app', 'console', 'proto']) {
    for (const f of readdirSync(`${src}${dir}`)) if (f.endsWith('.ts')) out.set(`${dir}/${f}`, readFileSync(`${src}${dir}/${f}`, 'utf8'));
  }
  return out;
}

// The modules one imports at run time: `import ... from './x.js'`, not `import type`.
function importsOf(name: string, text: string): string[] {
  const dir = name.slice(0, name.lastIndexOf('/') + 1);
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'(\.[^']+)';/gms)) {
    if (m[1]) continue;
    const parts = (dir + m[2]).split('/');
    const resolved: string[] = [];
    for (const p of parts) {
      if (p === '..') resolved.pop();
      else if (p !== '.') resolved.push(p);
    }
    out.push(resolved.join('/').replace(/\.js$/, '.ts'));
  }
  return out;
}

test('no module imports itself through others', () => {
  const all = modules();
  const graph = new Map([...all].map(([name, text]) => [name, importsOf(name, text).filter((i) => all.has(i))]));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') {
      cycles.push([...path.slice(path.indexOf(n)), n].join(' -> '));
      return;
    }
    state.set(n, 'open');
    path.push(n);
    for (const next of graph.get(n) ?? []) visit(next);
    path.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n);
  assert.deepEqual(cycles, []);
  assert.ok(graph.get('app/main.ts')!.includes('app/app.ts'), 'main.ts starts the composition root');
});

test('the app keeps no state at module level: the composition root makes it', () => {
  const found: string[] = [];
  for (const [name, text] of modules()) {
    if (!name.startsWith('app/') && !name.startsWith('console/')) continue;
    text.split('\n').forEach((line, i) => {
      if (/^(export\s+)?(let|var)\s/.test(line)) found.push(`${name}:${i + 1}: ${line}`);
    });
  }
  assert.deepEqual(found, []);
});

test('views read relay answers only as typed values', () => {
  const found: string[] = [];
  for (const [name, text] of modules()) {
    if (name.startsWith('proto/') || ['app/relay.ts', 'app/answers.ts'].includes(name)) continue;
    text.split('\n').forEach((line, i) => {
      if (/as JsonValue|as JsonObject|from '\.\.\/proto\/json\.js'.*\bisObject\b|Array\.isArray\(answer/.test(line)) found.push(`${name}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});
