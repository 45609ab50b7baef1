#!/usr/bin/env node
/**
 * Renders the API reference (API.md) from the jsii assembly with jsii-docgen.
 *
 * Usage:
 *   node scripts/docgen.js [PACKAGE_DIR] [OUTPUT]
 *     PACKAGE_DIR  the directory holding package.json and the built .jsii (default: the repo root)
 *     OUTPUT       the Markdown file to write (default: API.md in the repo root)
 *
 * `npm run docgen` builds the assembly first and writes API.md; test/package.test.ts renders
 * the assembly of a fresh build to a temp file and fails when API.md differs.
 *
 * Why not plain `jsii-docgen`: it resolves the assemblies of dependencies by globbing every
 * `.jsii` below the package and takes the newest version in range, so a newer copy nested in
 * some dev tool (cdk8s-cli ships its own constructs) would decide the inherited members listed
 * in API.md. Here the dependencies are exactly the ones this package resolves (the versions it
 * is built and tested against), linked into a scratch directory with the assembly.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

/** Links `name` (as resolved from `fromDir`) and, recursively, its jsii dependencies into `nodeModules`. */
function linkAssembly(name, fromDir, nodeModules) {
  const target = path.join(nodeModules, name);
  if (fs.existsSync(target)) return;
  const dir = path.dirname(require.resolve(`${name}/package.json`, { paths: [fromDir] }));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(fs.realpathSync(dir), target, 'dir');
  const assembly = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf-8'));
  for (const dep of Object.keys(assembly.dependencies ?? {})) linkAssembly(dep, dir, nodeModules);
}

async function main() {
  const packageDir = path.resolve(process.argv[2] ?? ROOT);
  const output = path.resolve(process.argv[3] ?? path.join(ROOT, 'API.md'));
  const dotJsii = path.join(packageDir, '.jsii');
  if (!fs.existsSync(dotJsii)) {
    throw new Error(`${dotJsii} not found: build the assembly first (npm run build)`);
  }
  const assembly = JSON.parse(fs.readFileSync(dotJsii, 'utf-8'));

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'docgen-'));
  try {
    fs.copyFileSync(dotJsii, path.join(scratch, '.jsii'));
    const nodeModules = path.join(scratch, 'node_modules');
    for (const dep of Object.keys(assembly.dependencies ?? {})) linkAssembly(dep, packageDir, nodeModules);

    const { Documentation, Language } = require('jsii-docgen');
    const docs = await Documentation.forAssembly(assembly.name, scratch);
    const markdown = await docs.toMarkdown({ language: Language.TYPESCRIPT, allSubmodules: true });
    fs.writeFileSync(output, markdown.render());
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
