// Revenant console: small progressive behaviour. Everything works without this file.
'use strict';
document.addEventListener('submit', (ev) => {
  // One click, one submission: a second click while the first request is in flight is ignored.
  const form = ev.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
  if (form.dataset.sending === '1') {
    ev.preventDefault();
    return;
  }
  form.dataset.sending = '1';
  for (const b of form.querySelectorAll('button[type="submit"]')) b.setAttribute('aria-disabled', 'true');
});
