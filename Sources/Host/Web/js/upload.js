// CSV upload: choose or drop a file, optional vendor, a bar for the bytes sent and one
// for the import (from import_progress events carrying our clientRef), then the counts
// and every rejected row as a CSV download the server kept (the reply's rejectedRowsUrl).
import { currentSession } from './session.js';
import { errorFrom, fetchFile } from './api.js';
import { byId, h, showError } from './dom.js';

function randomRef() {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export class UploadView {
  constructor() {
    this.form = byId('upload-form');
    this.vendor = byId('upload-vendor');
    this.input = byId('upload-file');
    this.drop = byId('drop-zone');
    this.chosen = byId('upload-chosen');
    this.submit = byId('upload-submit');
    this.progress = byId('upload-progress');
    this.bytes = byId('upload-bytes');
    this.bytesText = byId('upload-bytes-text');
    this.rows = byId('upload-rows');
    this.rowsText = byId('upload-rows-text');
    this.error = byId('upload-error');
    this.result = byId('upload-result');
    this.downloadButton = byId('upload-download');
    this.file = null;
    this.ref = null;
    this.xhr = null;
    this.last = null; // {batchId, url} of the finished upload
    this.downloading = false;

    this.input.addEventListener('change', () => this.choose(this.input.files[0] || null));
    for (const type of ['dragenter', 'dragover']) {
      this.drop.addEventListener(type, (e) => {
        e.preventDefault();
        this.drop.classList.add('over');
      });
    }
    for (const type of ['dragleave', 'drop']) {
      this.drop.addEventListener(type, () => this.drop.classList.remove('over'));
    }
    this.drop.addEventListener('drop', (e) => {
      e.preventDefault();
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) this.choose(f);
    });
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.start();
    });
    this.downloadButton.addEventListener('click', () => this.download());
  }

  setVendors(vendors) {
    for (const v of vendors) {
      if ((v.channels || []).includes('csv')) this.vendor.append(h('option', { value: v.key, text: v.name || v.key }));
    }
  }

  reset() {
    if (this.xhr) this.xhr.abort();
    this.xhr = null;
    this.choose(null);
    this.input.value = '';
    this.vendor.value = '';
    this.progress.hidden = true;
    this.result.hidden = true;
    this.last = null;
    showError(this.error, '');
  }

  choose(file) {
    this.file = file;
    this.chosen.textContent = file ? `${file.name} (${size(file.size)})` : '';
    this.submit.disabled = !file || !!this.xhr;
  }

  start() {
    if (!this.file || this.xhr) return;
    const session = currentSession();
    if (!session) return;
    const file = this.file;
    this.ref = randomRef();
    // Fields before the file: the server reads them before it streams the file in.
    const form = new FormData();
    if (this.vendor.value) form.append('vendor', this.vendor.value);
    form.append('clientRef', this.ref);
    form.append('file', file, file.name);

    showError(this.error, '');
    this.result.hidden = true;
    this.progress.hidden = false;
    this.setBar(this.bytes, this.bytesText, 0, `0 of ${size(file.size)}`);
    this.setBar(this.rows, this.rowsText, 0, 'waiting…');
    this.submit.disabled = true;

    // XMLHttpRequest, not fetch: only it reports upload progress.
    const xhr = new XMLHttpRequest();
    this.xhr = xhr;
    xhr.open('POST', '/api/csv-upload');
    xhr.setRequestHeader('Authorization', 'Bearer ' + session.token);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) {
        this.setBar(this.bytes, this.bytesText, e.loaded / e.total, `${size(e.loaded)} of ${size(e.total)}`);
      }
    });
    xhr.addEventListener('load', () => {
      this.xhr = null;
      this.submit.disabled = !this.file;
      const reply = xhr.response;
      if (xhr.status === 200 && reply) {
        this.setBar(this.bytes, this.bytesText, 1, 'sent');
        this.setBar(this.rows, this.rowsText, 1, `${reply.rows} rows read`);
        this.show(reply);
      } else {
        showError(this.error, errorFrom(xhr.status, reply).message);
      }
    });
    xhr.addEventListener('error', () => {
      this.xhr = null;
      this.submit.disabled = !this.file;
      showError(this.error, 'The upload was cut off. Rows already stored are kept; uploading the file again is safe.');
    });
    xhr.send(form);
  }

  /** import_progress for our upload moves the import bar. */
  onProgress(data) {
    if (!this.ref || data.clientRef !== this.ref) return;
    const fraction = data.totalBytes ? Math.min(1, data.bytes / data.totalBytes) : 0;
    this.setBar(this.rows, this.rowsText, data.done ? 1 : fraction, `${data.rows} rows read`);
  }

  setBar(bar, text, fraction, label) {
    bar.value = Math.round(fraction * 100);
    text.textContent = label;
  }

  show(reply) {
    const counts = byId('upload-counts');
    const items = [
      ['Rows', reply.rows], ['Created', reply.created], ['Updated', reply.updated],
      ['Unchanged', reply.unchanged], ['Skipped', reply.skipped], ['Rejected', reply.errorCount],
    ];
    counts.replaceChildren(...items.map(([label, n]) =>
      h('div', { dataset: { count: label.toLowerCase() } }, h('dt', { text: label }), h('dd', { text: String(n ?? 0) }))));
    const vendor = reply.vendor === 'mixed'
      ? 'several vendors: ' + Object.entries(reply.vendors || {}).map(([k, n]) => `${k} (${n})`).join(', ')
      : reply.vendor;
    byId('upload-summary').textContent = `Vendor: ${vendor}. Batch ${reply.batchId}.`;
    byId('upload-warnings').replaceChildren(...(reply.warnings || []).map((w) => h('li', { text: w })));
    const errors = reply.errors || [];
    const rejected = reply.errorCount || 0;
    byId('upload-rejected').hidden = rejected === 0;
    byId('upload-errors').replaceChildren(...errors.map((e) =>
      h('tr', {}, h('td', { text: String(e.row) }), h('td', { text: String(e.line) }), h('td', { text: e.message }))));
    const url = reply.rejectedRowsUrl || null;
    let note = `${rejected} row${rejected === 1 ? ' was' : 's were'} rejected.`;
    if (rejected > errors.length) note += ` The list shows the first ${errors.length}.`;
    note += url ? ' The download holds all of them with their values.' : ' They could not be kept for download.';
    byId('upload-rejected-note').textContent = note;
    this.downloadButton.hidden = !url;
    this.last = { batchId: reply.batchId, url };
    this.result.hidden = false;
    byId('upload-result-title').focus();
  }

  /** Every rejected row, as the server kept them, saved as a CSV file. */
  async download() {
    if (!this.last || !this.last.url || this.downloading) return;
    const { batchId, url } = this.last;
    // Not `disabled`: that would take keyboard focus away from the button.
    this.downloading = true;
    this.downloadButton.setAttribute('aria-busy', 'true');
    showError(this.error, '');
    try {
      const { blob, filename } = await fetchFile(url);
      const href = URL.createObjectURL(blob);
      const a = h('a', { href, download: filename || `${batchId}-rejected.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
    } catch (e) {
      showError(this.error, e.message);
    } finally {
      this.downloading = false;
      this.downloadButton.removeAttribute('aria-busy');
    }
  }
}
