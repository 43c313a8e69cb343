// Renders the spec this sandbox serves; a script file of its own, as the page's policy runs no inline script.
/* global Redoc */
Redoc.init('/sandbox/openapi.json', {
  // Nothing fetched from elsewhere: system fonts, and no link out for the download.
  theme: { typography: { fontFamily: 'system-ui, sans-serif', headings: { fontFamily: 'system-ui, sans-serif' }, code: { fontFamily: 'ui-monospace, monospace' } } },
  expandResponses: '200,201',
  sortTagsAlphabetically: false,
}, document.getElementById('reference'));
