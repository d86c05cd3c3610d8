// Builds the browser client with esbuild: `node build.mjs` writes dist/ (the
// app: content-hashed assets, SRI on every script, no inline code);
// `node build.mjs --tests` writes dist-test/ (node:test files). Offline:
// everything comes from node_modules (npm ci).
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tests = process.argv.includes('--tests');
// --out DIR: where to write (default dist/ or dist-test/ here); the test
// command writes into the build tree.
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : tests ? 'dist-test' : 'dist';

// libsodium-wrappers-sumo 0.7's ESM build imports a file its package does not
// ship; its CommonJS build is complete, so every bundle takes that one.
const alias = { 'libsodium-wrappers-sumo': './node_modules/libsodium-wrappers-sumo/dist/modules-sumo/libsodium-wrappers.js' };

if (tests) {
  const entryPoints = [
    ...readdirSync('test').filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`),
    ...readdirSync('test/browser').filter((f) => f.endsWith('.test.ts')).map((f) => `test/browser/${f}`),
    ...readdirSync('test/bench').filter((f) => f.endsWith('.bench.ts')).map((f) => `test/bench/${f}`),
  ];
  await esbuild.build({
    entryPoints,
    outdir: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    alias,
    // The tests read proto/vectors from the source tree, wherever the bundle lands.
    define: {
      SHUTTLE_VECTORS_DIR: JSON.stringify(fileURLToPath(new URL('../proto/vectors/', import.meta.url))),
      SHUTTLE_WEB_DIR: JSON.stringify(fileURLToPath(new URL('./', import.meta.url))),
    },
    // Driven, not bundled: it finds Chromium and speaks its protocol from node_modules.
    external: ['playwright-core'],
    banner: {
      js: "import { createRequire } from 'node:module'; import { fileURLToPath as __f } from 'node:url'; import { dirname as __d } from 'node:path'; const require = createRequire(import.meta.url); const __filename = __f(import.meta.url); const __dirname = __d(__filename);",
    },
    logLevel: 'warning',
  });
}

if (tests) {
  // Scripts for a page: the vector checks (the browser test evaluates them)
  // and the benchmark's operations (test/bench), both run inside Chromium.
  for (const [entry, file] of [['test/browser_vectors_entry.ts', 'browser-vectors.js'],
    ['test/bench/browser_bench_entry.ts', 'browser-bench.js']]) {
    await esbuild.build({
      entryPoints: [entry],
      outfile: `${out}/${file}`,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      alias,
      logLevel: 'warning',
    });
  }
}

if (!tests) {
  // The app: one script and one style sheet, named by their content, each
  // with its SRI hash in index.html. No inline script or style anywhere.
  rmSync(out, { recursive: true, force: true });
  mkdirSync(`${out}/assets`, { recursive: true });
  const built = await esbuild.build({
    entryPoints: ['src/app/main.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    alias,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const named = (base, ext, bytes) => {
    const sha384 = createHash('sha384').update(bytes).digest('base64');
    const short = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const name = `${base}-${short}.${ext}`;
    writeFileSync(`${out}/assets/${name}`, bytes);
    // Compressed once here, served as they are to a browser that takes them.
    writeFileSync(`${out}/assets/${name}.br`, brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${out}/assets/${name}.gz`, gzipSync(bytes, { level: 9, mtime: 0 }));
    return { name, sri: `sha384-${sha384}` };
  };
  const app = named('app', 'js', built.outputFiles[0].contents);
  const style = named('style', 'css', readFileSync('src/app/style.css'));
  const icon = named('icon', 'svg', readFileSync('src/app/icon.svg'));
  const page = readFileSync('src/app/index.html', 'utf8')
    .replace('@APP@', app.name).replace('@APP_SRI@', app.sri)
    .replace('@STYLE@', style.name).replace('@STYLE_SRI@', style.sri).replace('@ICON@', icon.name);
  writeFileSync(`${out}/index.html`, page);
  console.log(`web client: ${out}/index.html, assets/${app.name} (${built.outputFiles[0].contents.length} bytes), assets/${style.name}`);
}
