// @mention autocomplete for the comment boxes of a claim's page: typing "@" and the start of a
// name lists the desk's members who match; arrow keys move, Enter or Tab picks, Escape closes.
// The list is an ARIA listbox tied to the textarea (a combobox), so a screen reader follows it.

const members = JSON.parse(document.getElementById("comment-members")?.textContent || "[]");
const MAX_SHOWN = 8;
let counter = 0;

// The "@prefix" just before the caret, if the caret is inside a mention being typed.
function typedMention(box) {
  const before = box.value.slice(0, box.selectionStart);
  const match = /(^|[^\w.@+-])@([\w.@+-]*)$/.exec(before);
  return match ? { prefix: match[2], start: before.length - match[2].length - 1 } : null;
}

function attach(box) {
  counter += 1;
  const wrap = document.createElement("div");
  wrap.className = "mention-box";
  box.parentNode.insertBefore(wrap, box);
  wrap.appendChild(box);
  const list = document.createElement("ul");
  list.className = "mention-list";
  list.id = "mention-list-" + counter;
  list.setAttribute("role", "listbox");
  list.hidden = true;
  wrap.appendChild(list);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");
  let active = 0;
  let shown = [];

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    box.setAttribute("aria-activedescendant", list.children[index].id);
  }

  function pick(name) {
    const typed = typedMention(box);
    if (!typed) return close();
    const caret = box.selectionStart;
    box.value = box.value.slice(0, typed.start) + "@" + name + " " + box.value.slice(caret);
    const at = typed.start + name.length + 2;
    box.setSelectionRange(at, at);
    close();
    box.focus();
  }

  function update() {
    const typed = typedMention(box);
    const prefix = typed ? typed.prefix.toLowerCase() : null;
    shown = prefix === null ? [] : members.filter((name) => name.toLowerCase().startsWith(prefix));
    shown = shown.slice(0, MAX_SHOWN);
    if (!shown.length) return close();
    list.replaceChildren(
      ...shown.map((name, i) => {
        const item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.textContent = name;
        // mousedown, not click: the textarea keeps its focus and caret.
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(name);
        });
        return item;
      }),
    );
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  box.addEventListener("input", update);
  box.addEventListener("blur", () => setTimeout(close, 100));
  box.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : shown.length - 1;
      highlight((active + step) % shown.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(shown[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
}

// Every comment box under `root` (a thread drawn again live gets its boxes this way).
export function attachMentions(root) {
  root.querySelectorAll("textarea[data-mentions]").forEach(attach);
}

attachMentions(document);
