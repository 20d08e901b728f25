// Copy buttons: <button data-copy="text">. The status line under the page says what was copied, for screen readers
// too. The clipboard API needs a secure context (https or localhost); elsewhere a selected textarea is copied.
"use strict";

function copyBySelection(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  return copied;
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      // fall through to the selection copy
    }
  }
  return copyBySelection(text);
}

let hideStatus;

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  const text = button.dataset.copy;
  const status = document.getElementById("copy-status");
  const copied = await copyText(text);
  status.textContent = (copied ? status.dataset.copied : status.dataset.failed).replace("{text}", text);
  status.classList.add("shown");
  clearTimeout(hideStatus);
  hideStatus = setTimeout(() => status.classList.remove("shown"), 4000);
});
