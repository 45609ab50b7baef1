#!/usr/bin/env node
/**
 * Writes the README's programs of recipe 1 (the header canary) into a directory, for
 * test/packages/run.sh to run them and compare their YAML:
 *
 *   <dir>/typescript/myapp.ts, <dir>/typescript/main.ts   the ```ts block whose first line is
 *                                                          `// myapp.ts`, and the first ```ts
 *                                                          block under "### 1. Header canary"
 *   <dir>/python/main.py    the first ```python block that constructs a CanaryRelease
 *   <dir>/java/Main.java    the first ```java block that builds a CanaryRelease
 *   <dir>/go/main.go        the first ```go block that calls NewCanaryRelease
 *
 *   node test/packages/readme-programs.js README.md <dir>
 */
const fs = require('fs');
const path = require('path');

const [readme, dir] = process.argv.slice(2);
if (!readme || !dir) {
  console.error('usage: readme-programs.js README.md <dir>');
  process.exit(2);
}

/** The fenced code blocks of a Markdown text: language, the heading they are under, code. */
function fences(markdown) {
  const lines = markdown.split('\n');
  const result = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6}\s/.test(lines[i])) section = lines[i].replace(/^#+\s*/, '');
    const open = /^(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!open) continue;
    const [, fence, lang] = open;
    const close = new RegExp(`^${fence[0]}{${fence.length},}\\s*$`);
    const code = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]); j++) code.push(lines[j]);
    result.push({ lang, section, line: i + 2, code: code.join('\n') + '\n' });
    i = j;
  }
  return result;
}

const blocks = fences(fs.readFileSync(readme, 'utf-8'));
const wanted = [
  ['typescript/myapp.ts', (b) => b.lang === 'ts' && b.code.startsWith('// myapp.ts\n')],
  ['typescript/main.ts', (b) => b.lang === 'ts' && b.section === '1. Header canary'],
  ['python/main.py', (b) => b.lang === 'python' && /\bCanaryRelease\(/.test(b.code)],
  ['java/Main.java', (b) => b.lang === 'java' && /\bCanaryRelease\.Builder\b/.test(b.code)],
  ['go/main.go', (b) => b.lang === 'go' && /\bNewCanaryRelease\(/.test(b.code)],
];
let missing = 0;
for (const [file, matches] of wanted) {
  const block = blocks.find(matches);
  if (!block) {
    console.error(`${readme}: no block for ${file}`);
    missing++;
    continue;
  }
  fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), block.code);
  console.log(`${file}: ${readme}:${block.line}`);
}
process.exit(missing ? 1 : 0);
