/**
 * Just enough Markdown reading for the docs tests: sections by heading, tables as rows of cells,
 * and the paths a page names. Cells are compared without padding, so Prettier's alignment of a
 * table never makes a test fail.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** The text under `heading` (a whole heading line, e.g. "## Exit codes") up to the next heading of the same or a higher level. */
export function section(markdown: string, heading: string): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return undefined;
  const level = /^#+/.exec(heading)?.[0].length ?? 1;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && (/^#+/.exec(l)?.[0].length ?? 0) <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** A table row's cells, trimmed; `\|` inside a cell is a literal bar. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The first table in `text` whose header's first cell is `firstHeader`: its body rows as cells. */
export function table(text: string, firstHeader: string): string[][] | undefined {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.trim().startsWith('|') && cells(l)[0] === firstHeader);
  if (head < 0) return undefined;
  const rows: string[][] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.trim().startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows;
}

/** A cell as plain words: no backticks, single spaces. */
export function plain(cell: string): string {
  return cell.replace(/`/g, '').replace(/\s+/g, ' ').trim();
}

/** Every file and folder of the repository (relative, `/`-separated), without dist, node_modules and .git. */
export function repoEntries(root: string): { files: Set<string>; dirs: Set<string> } {
  const files = new Set<string>();
  const dirs = new Set<string>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (rel === '' && ['dist', 'node_modules', '.git', 'results', 'build', 'prebuilds'].includes(entry.name)) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        dirs.add(child);
        walk(child);
      } else files.add(child);
    }
  };
  walk('');
  return { files, dirs };
}

const SOURCE_EXT = /\.(ts|mjs|cjs|c|gyp)$/;
const FILE_EXT = /\.(ts|mjs|cjs|js|json|md|c|ya?ml|sh|gyp|png)$/;
/** Folders a run or a build makes: a page may name them, the repository does not hold them. */
const MADE_BY_RUNS = /^(\.\/)?(dist|results|prebuilds|node_modules|build)\//;

/**
 * The repository paths a page names: in `code` spans and link targets, tokens like
 * `src/live/progress.ts`, `load/plan/` or `pong-server.ts`. Only what reads as a path counts: a
 * token with a folder and a file extension, a folder path ending in `/` with at least two parts,
 * or a bare file name with a source extension (`.ts`, `.mjs`, …). Placeholders (`<name>`, `*`,
 * `{port}`), URLs, absolute paths and what runs make (`dist/…`, `results/…`) are left out;
 * `dist/x.js` is read as its source `x.ts`.
 */
export function namedPaths(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).concat([...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]));
  const found = new Set<string>();
  for (const span of spans) {
    for (let token of span.split(/\s+/)) {
      token = token
        .replace(/[.,;:)]+$/, '')
        .replace(/^[(]+/, '')
        .split('#')[0];
      if (!token || /^(https?:|\/|\$|~)/.test(token) || /[<>{}*$=@'"\\]/.test(token)) continue;
      const distSource = /^dist\/(.+)\.js$/.exec(token);
      if (distSource) {
        found.add(`${distSource[1]}.ts`);
        continue;
      }
      if (MADE_BY_RUNS.test(token)) continue;
      const isFolder = /^(\.{0,2}\/)?[\w.-]+(\/[\w.-]+)+\/$/.test(token);
      const isFile = token.includes('/') ? FILE_EXT.test(token) && /^[\w./-]+$/.test(token) : SOURCE_EXT.test(token) && /^[\w.-]+$/.test(token);
      if (isFolder || isFile) found.add(token);
    }
  }
  return [...found];
}

/**
 * Whether `named` (as a page in `docDir` names it) is in the repository: as a path from the root,
 * from the page's folder, or as the tail of a longer path (docs/architecture.md names files
 * under src/ by their path inside it: `load/plan/run-plan.ts`).
 */
export function pathExists(named: string, docDir: string, repo: { files: Set<string>; dirs: Set<string> }): boolean {
  const clean = named.replace(/\/$/, '');
  const fromDoc = path.posix.normalize(path.posix.join(docDir, clean));
  const all = [...repo.files, ...repo.dirs];
  return [clean.replace(/^\.\//, ''), fromDoc].some((p) => repo.files.has(p) || repo.dirs.has(p)) || all.some((p) => p.endsWith(`/${clean}`));
}
