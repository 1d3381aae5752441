// One lead: every field, its purchases, ingest warnings and enrichment status. Updated in
// place when an event about it arrives while it is open.
import { api } from './api.js';
import { byId, formatMoney, formatTime, formatValue, h, showError } from './dom.js';

const MAIN = [
  ['name', 'Name'], ['firstName', 'First name'], ['lastName', 'Last name'], ['email', 'Email'],
  ['phone', 'Phone'], ['street1', 'Street'], ['city', 'City'], ['state', 'State'], ['zipcode', 'ZIP'],
  ['dob', 'Date of birth'], ['gender', 'Gender'], ['price', 'Price'], ['source', 'Source'],
  ['vendorLeadId', 'Vendor lead id'], ['status', 'Status'], ['disposition', 'Disposition'],
  ['assignedTo', 'Assigned to'], ['createdAt', 'Created'], ['receivedAt', 'Received'],
  ['updatedAt', 'Updated'], ['enrichedAt', 'Enriched'], ['id', 'Lead id'], ['tenantId', 'Tenant id'],
];
const TIMES = new Set(['createdAt', 'receivedAt', 'updatedAt', 'enrichedAt']);
const SHOWN = new Set([...MAIN.map(([k]) => k), 'purchases', 'warnings', 'fields', 'enrichment', 'isNew', 'processMs']);

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

function show(key, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (TIMES.has(key)) return formatTime(v) + ' (' + v + ')';
  if (key === 'price') return formatMoney(v);
  return formatValue(v);
}

export class LeadDetail {
  constructor() {
    this.title = byId('lead-title');
    this.body = byId('lead-body');
    this.error = byId('lead-error');
    this.id = null;
  }

  async open(id) {
    this.id = id;
    this.body.replaceChildren(h('p', { class: 'muted', text: 'Loading…' }));
    showError(this.error, '');
    this.title.textContent = 'Lead';
    try {
      const lead = await api('/api/leads/' + encodeURIComponent(id));
      if (this.id === id) this.render(lead);
    } catch (e) {
      if (this.id !== id) return;
      this.body.replaceChildren();
      showError(this.error, e.status === 404 ? 'There is no such lead.' : e.message);
    }
  }

  close() {
    this.id = null;
  }

  /** A newer version of a lead from an event. */
  update(lead) {
    if (this.id === lead.id) this.render(lead);
  }

  render(lead) {
    this.title.textContent = lead.name || lead.email || lead.phone || lead.id;
    const enrichment = lead.enrichment || {};
    const extra = Object.keys(lead).filter((k) => !SHOWN.has(k)).sort();
    const fields = Object.entries(lead.fields || {}).sort(([a], [b]) => a.localeCompare(b));
    const warnings = lead.warnings || [];
    const purchases = lead.purchases || [];
    this.body.replaceChildren(h('div', { class: 'detail-grid' },
      h('section', { class: 'card', attrs: { 'aria-labelledby': 'lead-contact' } },
        h('h2', { id: 'lead-contact', text: 'Lead' }),
        kv([...MAIN, ...extra.map((k) => [k, k])].map(([k, label]) => [label, show(k, lead[k])]))),
      h('div', {},
        h('section', { class: 'card', attrs: { 'aria-labelledby': 'lead-enrichment' } },
          h('h2', { id: 'lead-enrichment', text: 'Enrichment' }),
          kv([
            ['Status', enrichment.status || '—'],
            ['Attempts', formatValue(enrichment.attempts)],
            ['Last error', formatValue(enrichment.lastError)],
          ])),
        h('section', { class: 'card', attrs: { 'aria-labelledby': 'lead-warnings' } },
          h('h2', { id: 'lead-warnings', text: `Ingest warnings (${warnings.length})` }),
          warnings.length === 0
            ? h('p', { class: 'muted', text: 'None.' })
            : h('ul', { class: 'warnings' }, warnings.map((w) =>
              h('li', { text: `${w.field || '—'}: ${w.message || w.code} (${w.code})` })))),
        h('section', { class: 'card', attrs: { 'aria-labelledby': 'lead-purchases' } },
          h('h2', { id: 'lead-purchases', text: `Purchases (${purchases.length})` }),
          h('div', { class: 'table-wrap' }, h('table', {},
            h('thead', {}, h('tr', {}, ['Vendor', 'Product', 'Price', 'Purchased', 'Purchase id']
              .map((t) => h('th', { scope: 'col', text: t })))),
            h('tbody', {}, purchases.map((p) => h('tr', {},
              h('td', { text: p.vendor || '' }), h('td', { text: p.product || '' }),
              h('td', { text: formatMoney(p.price) }), h('td', { text: formatTime(p.purchasedAt) }),
              h('td', {}, h('code', { text: p.purchaseId || '—' }))))))))),
      h('section', { class: 'card', attrs: { 'aria-labelledby': 'lead-fields' } },
        h('h2', { id: 'lead-fields', text: `Vendor fields (${fields.length})` }),
        fields.length === 0
          ? h('p', { class: 'muted', text: 'None yet (they are filled in by enrichment).' })
          : kv(fields.map(([k, v]) => [k, formatValue(v)])))));
  }
}
