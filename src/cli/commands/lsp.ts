// `steplens lsp`: the language server on stdio, for any LSP client (VS Code's
// extension starts the same server from dist/server.cjs). See docs/lsp.md.
import type { Command } from '../command.ts';
import { startServer } from '../../server/main.ts';

export const lspCommand: Command = {
  name: 'lsp',
  summary: 'Run the StepLens language server (LSP over stdio) for an editor',
  usage: 'steplens lsp [--stdio]\n\nThe editor starts this; see docs/lsp.md for Neovim, Helix and others.',
  options: {
    stdio: { type: 'boolean' },
    // Sent by some clients (vscode-languageclient); the server ends when that process does.
    clientProcessId: { type: 'string' },
  },
  async run() {
    await startServer();
    // The connection keeps the process alive until the client sends `exit`.
    return new Promise<number>(() => undefined);
  },
};
