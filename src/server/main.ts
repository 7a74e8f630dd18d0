// Entry of dist/server.cjs and of `steplens lsp`: checks the Node version
// before anything loads better-sqlite3 (13 needs Node >= 22 and segfaults on
// older ones), then serves LSP on stdio (or --socket / --node-ipc, which
// vscode-languageserver reads from the command line).

const MIN_NODE_MAJOR = 22;

export async function startServer(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE_MAJOR) {
    const message =
      `StepLens' language server needs Node ${MIN_NODE_MAJOR} or newer and was started on Node ${process.versions.node} (${process.execPath}). ` +
      `Update the editor (VS Code 1.101 or newer runs Node 22) or set steplens.server.path to a Node ${MIN_NODE_MAJOR} binary.`;
    // Say it the way every client shows it (window/showMessage), and on stderr for the client's log; then stop cleanly.
    reportFatal(message);
    process.exitCode = 2;
    setTimeout(() => process.exit(2), 200);
    return;
  }
  if (!process.argv.some((a) => a === '--stdio' || a.startsWith('--socket') || a.startsWith('--node-ipc') || a.startsWith('--pipe'))) process.argv.push('--stdio');
  const { createConnection, ProposedFeatures } = await import('vscode-languageserver/node');
  const { StepLensServer } = await import('./server.ts');
  const connection = createConnection(ProposedFeatures.all);
  // Every handler is guarded; this is the last net, so that nothing a document does can end the server.
  process.on('uncaughtException', (err) => connection.console.error(`steplens: uncaught: ${err?.stack ?? String(err)}`));
  process.on('unhandledRejection', (err) => connection.console.error(`steplens: unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));
  new StepLensServer(connection);
  connection.listen();
}

/** A JSON-RPC showMessage notification written by hand: the LSP library is not loaded on an unsupported Node. */
function reportFatal(message: string): void {
  process.stderr.write(`steplens lsp: ${message}\n`);
  if (!process.argv.includes('--stdio')) return;
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'window/showMessage', params: { type: 1, message } });
  process.stdout.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`);
}

// Started as a bundle (node dist/server.cjs): serve. Imported by the CLI: the CLI calls startServer().
if (typeof require !== 'undefined' && require.main === module) void startServer();
