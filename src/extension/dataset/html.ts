// The dataset review editor's page: only dist/webview/dataset.js and dataset.css, under the panel's
// Content-Security-Policy with a fresh nonce per render. No vscode import, so tests build the very
// same page in Chromium.

import { newNonce, panelCsp } from '../panel/html.ts';

export interface DatasetPage {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

const attr = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function datasetHtml(p: DatasetPage): string {
  const nonce = p.nonce ?? newNonce();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(p.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${attr(p.styleUri)}" nonce="${attr(nonce)}">
<title>StepLens dataset</title>
</head>
<body>
<p class="sld-empty">Loading the dataset…</p>
<script nonce="${attr(nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
