import { readFileSync } from 'node:fs';

/** Name and version of this installation, as recorded in every result. */
export const TOOL = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
})();
