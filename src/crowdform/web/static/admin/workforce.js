// Workforce pages: "Copy link" buttons copy the text field named by their data-copy attribute.
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.copy);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand('copy'); // no Clipboard API (plain HTTP on another host): the selection
    }
    const note = button.parentElement.querySelector('.copied');
    if (note) note.hidden = false;
  });
}
