// The database and gold query the user picked with Set Database / Set Gold Query, kept in the
// workspace's state (so they survive a reload) per file, plus one database for the whole workspace.
// A file's own value beats the workspace's; a directive in the file beats both (the server decides that).

import * as vscode from 'vscode';

const KEY = 'steplens.documentContext';

interface FileContext {
  db?: string;
  gold?: string;
}

interface Stored {
  files: Record<string, FileContext>;
  workspaceDb?: string;
}

export interface EffectiveContext {
  db: string | null;
  gold: string | null;
}

export class ContextStore {
  private readonly changed = new vscode.EventEmitter<string | null>();
  /** Fires with the document URI that changed, or null when the workspace default changed. */
  readonly onDidChange = this.changed.event;

  private readonly state: vscode.Memento;

  constructor(state: vscode.Memento) {
    this.state = state;
  }

  private read(): Stored {
    const s = this.state.get<Stored>(KEY);
    return { files: { ...(s?.files ?? {}) }, workspaceDb: s?.workspaceDb };
  }

  private async write(s: Stored): Promise<void> {
    await this.state.update(KEY, s);
  }

  get(uri: string): EffectiveContext {
    const s = this.read();
    const f = s.files[uri];
    return { db: f?.db ?? s.workspaceDb ?? null, gold: f?.gold ?? null };
  }

  /** Where the effective database comes from: 'file', 'workspace' or null. */
  dbScope(uri: string): 'file' | 'workspace' | null {
    const s = this.read();
    if (s.files[uri]?.db) return 'file';
    return s.workspaceDb ? 'workspace' : null;
  }

  async setDb(uri: string | null, db: string | null): Promise<void> {
    const s = this.read();
    if (uri === null) s.workspaceDb = db ?? undefined;
    else this.patch(s, uri, { db: db ?? undefined });
    await this.write(s);
    this.changed.fire(uri);
  }

  async setGold(uri: string, gold: string | null): Promise<void> {
    const s = this.read();
    this.patch(s, uri, { gold: gold ?? undefined });
    await this.write(s);
    this.changed.fire(uri);
  }

  private patch(s: Stored, uri: string, p: FileContext): void {
    const next: FileContext = { ...s.files[uri], ...p };
    for (const k of Object.keys(next) as (keyof FileContext)[]) if (next[k] === undefined) delete next[k];
    if (Object.keys(next).length === 0) delete s.files[uri];
    else s.files[uri] = next;
  }
}
