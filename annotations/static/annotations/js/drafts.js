// Unsaved input, kept in the browser until the server has it: a closed tab, a crash or a reload
// does not lose what a reviewer typed. Keys name the user, the claim and the form.

const PREFIX = "workbench:draft:";

function storage() {
  try {
    return window.localStorage;
  } catch (error) {
    return null; // storage disabled: drafts then live only as long as the page
  }
}

export class Drafts {
  constructor(user) {
    this.scope = PREFIX + user + ":";
    this.memory = new Map();
  }

  key(claimId, form) {
    return this.scope + claimId + ":" + form;
  }

  save(claimId, form, values) {
    const key = this.key(claimId, form);
    this.memory.set(key, values);
    const store = storage();
    if (store) {
      try {
        store.setItem(key, JSON.stringify(values));
      } catch (error) {
        // Quota exceeded: the in-memory copy still guards against a failed save.
      }
    }
  }

  load(claimId, form) {
    const key = this.key(claimId, form);
    const store = storage();
    const raw = store ? store.getItem(key) : null;
    if (raw) {
      try {
        return JSON.parse(raw);
      } catch (error) {
        return null;
      }
    }
    return this.memory.get(key) || null;
  }

  clear(claimId, form) {
    const key = this.key(claimId, form);
    this.memory.delete(key);
    const store = storage();
    if (store) store.removeItem(key);
  }

  // Whether this page holds input not yet saved (for the warning on leaving).
  any() {
    return this.memory.size > 0;
  }
}

// Values of a form's named fields, and back.
export function formValues(form) {
  const values = {};
  for (const element of form.elements) {
    if (element.name) values[element.name] = element.value;
  }
  return values;
}

export function fillForm(form, values) {
  for (const [name, value] of Object.entries(values || {})) {
    const element = form.elements.namedItem(name);
    if (element && "value" in element) element.value = value === null || value === undefined ? "" : String(value);
  }
}
