// Vendors (admins): the configured vendors, their webhook URLs, how to make credentials.
import { byId, h } from './dom.js';

export function renderVendors(vendors, session) {
  const tenant = session.user.tenantId;
  byId('vendors-body').replaceChildren(...vendors.map((v) => h('tr', { dataset: { vendor: v.key } },
    h('td', { text: v.name || v.key }),
    h('td', {}, h('code', { text: v.key })),
    h('td', { text: (v.channels || []).join(', ') }),
    h('td', {}, v.webhookUrl ? h('code', { text: location.origin + v.webhookUrl }) : h('span', { class: 'muted', text: 'no webhook' })))));
  const withWebhook = vendors.filter((v) => v.webhookUrl);
  byId('vendors-howto').replaceChildren(...withWebhook.map((v) => h('li', {},
    `${v.name || v.key}: `,
    h('code', { text: `sluice credentials add --tenant ${tenant} --vendor ${v.key}` }),
    v.webhookUrl.includes('{endpointId}')
      ? ' prints an endpoint id (the {endpointId} of the URL) and a signing secret.'
      : ' prints the sid and apikey headers the vendor sends.')));
}
