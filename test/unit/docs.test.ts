/**
 * The docs against the code that defines what they describe: the exit-code table
 * (contract/exit-codes.ts), every flag of every command with its default (commander's own
 * definitions, as `--help` shows them), every page of docs/ linked from the README, and no page
 * naming a file that is not there. A flag added without its line in docs/reference.md fails here,
 * naming the flag, its default and where it belongs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Option } from 'commander';
import { EXIT, ERROR_EXIT, EXIT_CODE_TABLE } from '../../src/contract/exit-codes.js';
import { buildProgram } from '../../src/cli/program.js';
import { defaultText } from '../../src/cli/common/help.js';
import type { CliContext } from '../../src/cli/common/context.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { namedPaths, pathExists, plain, repoEntries, section, table } from '../helpers/markdown.js';

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), 'utf8');
const markdownTable = (rows: string[][]) => rows.map((r) => `| ${r.join(' | ')} |`).join('\n');

/** The program as main.ts builds it; nothing is parsed, so the context is never used. */
function program() {
  const unused = () => {
    throw new Error('not used: the docs tests only read the definitions');
  };
  const ctx = { stdout: process.stdout, stderr: process.stderr, waitForSignal: unused, isCI: true, argv: [], env: {}, exitCode: 0 } as unknown as CliContext;
  return buildProgram(ctx, (s) => s);
}

/** The default `--help` shows for a flag: written in its description, or commander's default. */
function helpDefault(option: Option): string | undefined {
  const written = /\(default:?\s+([^;)]+)/.exec(option.description);
  if (written) return written[1].trim();
  // A choice marked as the default: "lean: wsbench's own client (default); ws: …", "send: echo (default), or …".
  if (option.description.includes('(default)')) {
    const segment = option.description.split('(default)')[0].split(';').pop() ?? '';
    const afterColon = segment.split(':').pop()?.trim() ?? '';
    return /^[\w-]+$/.test(afterColon) ? afterColon : /([\w-]+)\s*:[^:]*$/.exec(segment)?.[1];
  }
  if (option.defaultValue !== undefined || option.defaultValueDescription !== undefined) return defaultText(option);
  return undefined;
}

const words = (cell: string) => plain(cell).replace(/"/g, '');

describe('docs and help agree with the code', () => {
  it('every exit code is in exactly one row of the table', () => {
    const listed = EXIT_CODE_TABLE.flatMap((r) => r.codes).sort((a, b) => a - b);
    assert.deepEqual(
      listed,
      Object.values(EXIT).sort((a, b) => a - b),
    );
  });

  it('the README and docs/reference.md show the exit-code table of contract/exit-codes.ts', () => {
    const codes = (r: (typeof EXIT_CODE_TABLE)[number]) => r.codes.join(' / ');
    const expected: Record<string, string[][]> = {
      'README.md': EXIT_CODE_TABLE.map((r) => [codes(r), r.meaning]),
      'docs/reference.md': EXIT_CODE_TABLE.map((r) => [codes(r), r.details ? `${r.meaning}; ${r.details}` : r.meaning]),
    };
    for (const [doc, rows] of Object.entries(expected)) {
      const shown = table(section(read(doc), '## Exit codes') ?? '', 'code');
      assert.deepEqual(
        shown,
        rows,
        `${doc}'s "## Exit codes" table must be, row for row (then run prettier --write ${doc}):\n| code | meaning |\n| --- | --- |\n${markdownTable(rows)}\n`,
      );
    }
  });

  it('docs/reference.md lists every error code with its exit code', () => {
    const rows = table(section(read('docs/reference.md'), '## Errors') ?? '', 'code') ?? [];
    const shown = new Map(rows.map((r) => [plain(r[0]), plain(r[1])]));
    const problems: string[] = Object.entries(ERROR_EXIT).flatMap(([code, exit]) => {
      const cell = shown.get(code);
      if (cell === undefined) return [`docs/reference.md "## Errors": ${code} (exit ${exit}) is missing`];
      return cell.split(' / ').includes(String(exit)) ? [] : [`docs/reference.md "## Errors": ${code} says exit ${cell}, the code says ${exit}`];
    });
    for (const code of shown.keys())
      if (!(code in ERROR_EXIT)) problems.push(`docs/reference.md "## Errors": ${code} is not an error code of contract/exit-codes.ts`);
    assert.deepEqual(problems, []);
  });

  it('docs/reference.md lists every flag of every command with the default --help shows', () => {
    const reference = read('docs/reference.md');
    const problems: string[] = [];
    for (const command of program().commands) {
      const heading = `## \`wsbench ${command.name()}\``;
      const rows = table(section(reference, heading) ?? '', 'flag');
      if (!rows) {
        problems.push(`docs/reference.md has no "${heading}" section with a | flag | default | meaning | table`);
        continue;
      }
      const documented = rows.map((r) => ({ flags: [...plain(r[0]).matchAll(/--?[\w-]+/g)].map((m) => m[0]), default: words(r[1] ?? '') }));
      for (const option of command.options) {
        const where = `docs/reference.md, ${heading}`;
        const row = documented.find((d) => d.flags.includes(option.long ?? ''));
        const shown = helpDefault(option);
        const takesValue = option.required || option.optional;
        if (!row) {
          problems.push(`${where}: ${option.flags} is missing (default: ${takesValue ? (shown ?? 'none: say what happens without it') : 'off'})`);
          continue;
        }
        if (option.short && !row.flags.includes(option.short)) problems.push(`${where}: ${option.long} is listed without its short form ${option.short}`);
        if (!takesValue) {
          if (!['', 'off'].includes(row.default))
            problems.push(`${where}: ${option.long} is a switch; its default cell should be empty or "off" (got "${row.default}")`);
        } else if (shown !== undefined && row.default !== shown.replace(/"/g, '')) {
          problems.push(`${where}: ${option.long} has default "${row.default}" in the docs, "${shown}" in --help`);
        }
      }
      const known = new Set<string | undefined>(command.options.flatMap((o) => [o.long, o.short]));
      for (const d of documented)
        for (const flag of d.flags) if (!known.has(flag)) problems.push(`docs/reference.md, ${heading}: ${flag} is not a flag of the command`);
    }
    assert.deepEqual(problems, []);
  });

  it('the README links every page of docs/', () => {
    const readme = read('README.md');
    const pages = readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    const unlinked = pages.filter((p) => !readme.includes(`](docs/${p})`) && !readme.includes(`](docs/${p}#`));
    assert.deepEqual(unlinked, [], 'pages of docs/ the README does not link to');
  });

  it('no page names a file or folder that is not in the repository', () => {
    const repo = repoEntries(REPO_ROOT);
    const pages = [...repo.files].filter((f) => f.endsWith('.md') && !f.startsWith('test/fixtures/'));
    assert.ok(pages.includes('docs/architecture.md') && pages.includes('bench-profiles/README.md'), pages.join(', '));
    const missing = pages.flatMap((page) =>
      namedPaths(read(page))
        .filter((p) => !pathExists(p, path.posix.dirname(page), repo))
        .map((p) => `${page} names ${p}`),
    );
    assert.deepEqual(missing, []);
  });
});
