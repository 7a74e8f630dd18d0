// Serves dist/webview/* to a Playwright page as the extension's webview would (its scripts, stylesheets
// and the codicon font next to them), for the pages under test/webview/.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Route } from 'playwright-core';
import { REPO_ROOT } from './data.ts';

const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css', ttf: 'font/ttf' };

/** Fulfils `route` when `url` is `<origin>/dist/webview/<file>` of a built asset; false otherwise. */
export async function fulfillWebviewAsset(route: Route, origin: string, url: string): Promise<boolean> {
  const path = url.split(/[?#]/)[0];
  if (!path.startsWith(`${origin}/dist/webview/`)) return false;
  const file = join(REPO_ROOT, 'dist', 'webview', basename(path));
  const type = TYPES[file.split('.').pop()!];
  if (!type || !existsSync(file)) return false;
  await route.fulfill({ status: 200, contentType: type, body: readFileSync(file) });
  return true;
}
