// Reads the report's embedded data parts (gzip + base64 in
// <script type="application/x-steplens+gzip"> elements, see
// src/report/html.ts): the meta part at once, the shared pool and the
// per-record chunks when a record is opened.

import type { ScoredRecord } from '../../src/core/score/types.ts';
import { decodeRow, expandRecord, type ChunkPart, type MetaPart, type SampleRow, type SharedPart } from '../../src/report/payload.ts';

function base64ToBytes(b64: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (fromBase64) return fromBase64(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** gunzip + JSON.parse of one base64 part. */
export async function decodePart<T>(b64: string): Promise<T> {
  const bytes = base64ToBytes(b64.trim());
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  const text = await new Response(stream).text();
  return JSON.parse(text) as T;
}

export class ReportData {
  readonly meta: MetaPart;
  readonly rows: SampleRow[];
  private readonly doc: Document;
  private shared: Promise<SharedPart> | undefined;
  private readonly chunks = new Map<number, Promise<ChunkPart>>();

  private constructor(doc: Document, meta: MetaPart) {
    this.doc = doc;
    this.meta = meta;
    this.rows = meta.rows.map((e, i) => decodeRow(e, i, meta.texts));
  }

  static async load(doc: Document = document): Promise<ReportData> {
    const el = doc.getElementById('sl-meta');
    if (!el) throw new Error('no report data in this page');
    const meta = await decodePart<MetaPart>(el.textContent ?? '');
    return new ReportData(doc, meta);
  }

  private part<T>(selector: string): Promise<T> {
    const el = this.doc.querySelector(selector);
    if (!el) return Promise.reject(new Error(`report data part missing: ${selector}`));
    return decodePart<T>(el.textContent ?? '');
  }

  /** The full record at report position i. */
  async record(i: number): Promise<ScoredRecord> {
    const k = Math.floor(i / this.meta.chunkSize);
    this.shared ??= this.part<SharedPart>('#sl-shared');
    let chunk = this.chunks.get(k);
    if (!chunk) {
      chunk = this.part<ChunkPart>(`script[data-chunk="${k}"]`);
      this.chunks.set(k, chunk);
    }
    const [shared, details] = await Promise.all([this.shared, chunk]);
    return expandRecord(this.rows[i], details[i - k * this.meta.chunkSize], this.meta.rewardKeys, shared);
  }
}
