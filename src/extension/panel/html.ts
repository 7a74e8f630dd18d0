// The panel's page: only the bundled script and stylesheet from the extension's dist/webview folder,
// under a Content-Security-Policy with a fresh nonce per render. No vscode import, so tests build the
// very same page in Chromium.

import { randomBytes } from 'node:crypto';

export interface PanelPage {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** A fresh nonce (default: 16 random bytes, base64). */
  nonce?: string;
}

export const newNonce = (): string => randomBytes(16).toString('base64');

const attr = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function panelCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource} data:; font-src ${cspSource}; base-uri 'none'; form-action 'none'`;
}

export function panelHtml(p: PanelPage): string {
  const nonce = p.nonce ?? newNonce();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(p.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${attr(p.styleUri)}" nonce="${attr(nonce)}">
<title>StepLens</title>
</head>
<body>
<p class="slp-empty">Loading StepLens…</p>
<script nonce="${attr(nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
