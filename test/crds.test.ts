/**
 * crds/ is the one place that states which upstream versions the library targets: its
 * SOURCE.md names each file's project, tag and commit, cdk8s.yaml lists the upstream URLs of the
 * same tags, and imports/ is generated from these files and nothing else.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const CRDS = path.join(ROOT, 'crds');

/** The rows of crds/SOURCE.md's table: file, project, tag, commit. */
function sourceRows(): Array<{ file: string; project: string; tag: string; commit: string }> {
  return fs.readFileSync(path.join(CRDS, 'SOURCE.md'), 'utf-8').split('\n')
    .filter((line) => /^\| `[^`]+\.yaml` \|/.test(line))
    .map((line) => {
      const [file, project, tag, commit] = line.split('|').slice(1).map((cell) => cell.trim());
      return { file: file.replace(/`/g, ''), project, tag, commit };
    });
}

test('crds/SOURCE.md describes every CRD file in crds/, each with a tag and a full commit', () => {
  const rows = sourceRows();
  const files = fs.readdirSync(CRDS).filter((f) => f.endsWith('.yaml')).sort();

  expect(rows.map((r) => r.file).sort()).toEqual(files);
  for (const row of rows) {
    expect(row.project).toMatch(/^github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(row.tag).toMatch(/^v?\d+\.\d+\.\d+$/);
    expect(row.commit).toMatch(/^[0-9a-f]{40}$/);
  }
});

test('every file in crds/ holds only CustomResourceDefinitions', () => {
  for (const file of fs.readdirSync(CRDS).filter((f) => f.endsWith('.yaml'))) {
    const kinds = parseAllDocuments(fs.readFileSync(path.join(CRDS, file), 'utf-8')).map((d) => d.toJS()?.kind).filter((k) => k !== undefined);
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['CustomResourceDefinition']));
  }
});

test("cdk8s.yaml's upstream URLs are those of the projects and tags in crds/SOURCE.md", () => {
  const urls: string[] = parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf-8')).imports;
  const pinned = new Set(sourceRows().map((r) => `${r.project.replace(/^github\.com\//, '')}@${r.tag}`));

  const referenced = new Set(urls.map((url) => {
    const m = /^https:\/\/raw\.githubusercontent\.com\/([\w.-]+\/[\w.-]+)\/([^/]+)\//.exec(url);
    expect(m).not.toBeNull();
    return `${m![1]}@${m![2]}`;
  }));
  expect(referenced).toEqual(pinned);
});

test('imports/ is exactly what `npm run import` generates from crds/ (never edited by hand)', () => {
  // Exits non-zero, with the differing files, when imports/ is stale or edited.
  execFileSync(path.join(ROOT, 'scripts', 'import-crds.sh'), ['--check'], { cwd: ROOT, stdio: 'pipe' });
}, 60_000);
