// The leads list: newest first, search and source filter, more rows on scroll, and live
// updates applied from the events themselves (no refetch for a single lead).
import { api } from './api.js';
import { byId, formatMoney, formatTime, h, showError } from './dom.js';

const PAGE = 50;

/** createdAt descending, then id descending: the server's order (Docs/api.md). */
export function compareLeads(a, b) {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

/** Does `lead` match the search and filter as the server would (name, phone, email)? */
export function matches(lead, q, source) {
  if (source && lead.source !== source) return false;
  const text = q.trim().toLowerCase();
  if (!text) return true;
  const hay = [lead.name, lead.email, lead.phone].filter(Boolean).map((v) => String(v).toLowerCase());
  if (hay.some((v) => v.includes(text))) return true;
  // A phone-looking search also matches on digits alone, like the server.
  const digits = text.replace(/\D/g, '');
  return /^[\d\s\-().+]+$/.test(text) && digits.length >= 3 && !!lead.phone && lead.phone.includes(digits);
}

export class LeadsView {
  constructor({ notifier, openLead }) {
    this.notifier = notifier;
    this.openLead = openLead;
    this.body = byId('leads-body');
    this.q = byId('leads-q');
    this.source = byId('leads-source');
    this.more = byId('leads-more');
    this.status = byId('leads-status');
    this.empty = byId('leads-empty');
    this.error = byId('leads-error');
    this.counter = byId('hidden-count');
    this.leads = []; // sorted, what the table shows
    this.rows = new Map(); // id → <tr>
    this.nextCursor = null;
    this.loading = false;
    this.generation = 0;
    this.hidden = 0;
    this.reloadTimer = null;

    let typing = null;
    this.q.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => this.reload(), 300);
    });
    byId('leads-filter').addEventListener('submit', (e) => {
      e.preventDefault();
      clearTimeout(typing);
      this.reload();
    });
    this.source.addEventListener('change', () => this.reload());
    this.more.addEventListener('click', () => this.loadMore());
    this.counter.addEventListener('click', () => {
      this.q.value = '';
      this.source.value = '';
      this.reload();
      byId('leads-title').focus();
    });
    this.body.addEventListener('click', (e) => {
      const tr = e.target.closest('tr[data-id]');
      if (tr && !e.target.closest('a')) this.openLead(tr.dataset.id);
    });
    // More rows when the end of the table scrolls into view; the button does the same
    // for keyboards and screen readers.
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.loadMore();
    }, { rootMargin: '200px' });
    this.observer.observe(this.more);
  }

  setSources(vendors) {
    for (const v of vendors) this.source.append(h('option', { value: v.key, text: v.name || v.key }));
  }

  clear() {
    this.generation += 1;
    this.leads = [];
    this.rows.clear();
    this.body.replaceChildren();
    this.nextCursor = null;
    this.setHidden(0);
    this.q.value = '';
    this.source.value = '';
  }

  query(cursor) {
    const p = new URLSearchParams({ limit: String(PAGE) });
    if (this.q.value.trim()) p.set('q', this.q.value.trim());
    if (this.source.value) p.set('source', this.source.value);
    if (cursor) p.set('cursor', cursor);
    return '/api/leads?' + p.toString();
  }

  /** Loads the first page again (search, filter, an import); resolves to its latestSeq. */
  async reload() {
    const generation = ++this.generation;
    this.loading = true;
    this.status.textContent = 'Loading…';
    try {
      const page = await api(this.query(null));
      if (generation !== this.generation) return page.latestSeq;
      showError(this.error, '');
      this.leads = [];
      this.rows.clear();
      this.body.replaceChildren();
      this.setHidden(0);
      this.append(page.leads);
      this.nextCursor = page.nextCursor;
      return page.latestSeq;
    } catch (e) {
      if (generation === this.generation) showError(this.error, e.message);
      throw e;
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.updateFooter();
      }
    }
  }

  /** Reloads soon; several imports finishing together cause one reload. */
  reloadSoon() {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.reload().catch(() => {}), 250);
  }

  async loadMore() {
    if (this.loading || !this.nextCursor) return;
    const generation = this.generation;
    this.loading = true;
    this.status.textContent = 'Loading more…';
    try {
      const page = await api(this.query(this.nextCursor));
      if (generation !== this.generation) return;
      this.append(page.leads);
      this.nextCursor = page.nextCursor;
    } catch (e) {
      if (generation === this.generation) showError(this.error, e.message);
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.updateFooter();
      }
    }
  }

  append(leads) {
    for (const lead of leads) {
      if (this.rows.has(lead.id)) continue; // a lead shown from an event before its page came
      const tr = this.row(lead);
      this.leads.push(lead);
      this.rows.set(lead.id, tr);
      this.body.append(tr);
    }
  }

  updateFooter() {
    this.more.hidden = !this.nextCursor;
    this.empty.hidden = this.leads.length > 0;
    const n = this.leads.length;
    this.status.textContent = n === 0 ? '' : `${n} lead${n === 1 ? '' : 's'} shown${this.nextCursor ? '' : ', all loaded'}.`;
  }

  setHidden(n) {
    this.hidden = n;
    this.counter.hidden = n === 0;
    this.counter.textContent = `${n} new lead${n === 1 ? '' : 's'} not shown by your search — show all`;
  }

  /** Applies a lead from an event: in place when shown, inserted when it belongs here. */
  applyLead(lead, { isNew = false, enriched = false } = {}) {
    const existing = this.rows.get(lead.id);
    if (existing) {
      const i = this.leads.findIndex((l) => l.id === lead.id);
      const tr = this.row(lead);
      tr.classList.add(isNew ? 'fresh' : 'updated');
      existing.replaceWith(tr);
      this.rows.set(lead.id, tr);
      if (i >= 0) this.leads[i] = lead;
      return;
    }
    if (enriched) return; // not on screen: nothing to fill in
    if (!matches(lead, this.q.value, this.source.value)) {
      if (isNew) {
        this.setHidden(this.hidden + 1);
        this.notifier.play();
      }
      return;
    }
    if (isNew) this.notifier.play();
    // Only within the loaded range: an older lead comes with its page on scroll.
    const last = this.leads[this.leads.length - 1];
    if (this.nextCursor && last && compareLeads(lead, last) > 0) return;
    let i = this.leads.findIndex((l) => compareLeads(lead, l) < 0);
    if (i < 0) i = this.leads.length;
    const tr = this.row(lead);
    tr.classList.add('fresh');
    if (i < this.leads.length) this.rows.get(this.leads[i].id).before(tr);
    else this.body.append(tr);
    this.leads.splice(i, 0, lead);
    this.rows.set(lead.id, tr);
    this.updateFooter();
  }

  row(lead) {
    const status = lead.enrichment ? lead.enrichment.status : 'pending';
    const name = lead.name || [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.id;
    return h('tr', { dataset: { id: lead.id, enrichment: status } },
      h('td', {}, h('a', { href: '#/leads/' + encodeURIComponent(lead.id), text: name })),
      h('td', { text: lead.phone || '' }),
      h('td', { class: 'wide', text: lead.email || '' }),
      h('td', { class: 'mid', text: lead.source || '' }),
      h('td', { class: 'wide', text: lead.state || '' }),
      h('td', { class: 'wide num', text: formatMoney(lead.price) }),
      h('td', {}, h('time', { dateTime: lead.createdAt, text: formatTime(lead.createdAt) })),
      h('td', {}, h('span', { class: 'badge ' + status, text: status })));
  }
}
