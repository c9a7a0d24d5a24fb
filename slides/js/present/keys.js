// The keys of slide mode and the speaker view: what keyboards and presentation clickers send.
// Clickers send PageDown/PageUp (some also "b" or "." to blank the screen). A number typed and then
// Enter jumps to that slide.

const KEYS = {
  ArrowRight: "next", ArrowDown: "next", PageDown: "next", " ": "next",
  ArrowLeft: "prev", ArrowUp: "prev", PageUp: "prev",
  Home: "first", End: "last", Escape: "exit",
  o: "overview", s: "speaker", p: "toggle", b: "black", ".": "black", q: "qr",
};

// Where a key belongs to the control that has focus, not to the deck.
const TYPING = "input, textarea, select, [contenteditable]:not([contenteditable='false']), [role='slider'], [role='spinbutton'], [role='textbox'], [role='combobox'], [role='listbox']";
const ACTIVATES = "button, a[href], summary, label, [role='button'], [role='link'], [role='tab'], [role='radio'], [role='checkbox'], [role='menuitem']";

/**
 * Turns keydown events into deck actions: {action: "next"|"prev"|"first"|"last"|"goto"|"exit"|
 * "overview"|"speaker"|"toggle"|"black"|"qr", n?} or null when the key is not the deck's.
 */
export class KeyReader {
  constructor() {
    this.digits = "";
    this.timer = 0;
  }

  read(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest(TYPING)) return null;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (/^[0-9]$/.test(key)) {
      this.digits = (this.digits + key).slice(-4);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => { this.digits = ""; }, 2500);
      return { action: "digit", digits: this.digits };
    }
    if (key === "Enter" && this.digits) {
      const n = Number(this.digits);
      this.digits = "";
      return { action: "goto", n };
    }
    if ((key === " " || key === "Enter") && target?.closest(ACTIVATES)) return null;
    if (key === "Backspace" && this.digits) {
      this.digits = this.digits.slice(0, -1);
      return { action: "digit", digits: this.digits };
    }
    let action = KEYS[key] ?? null;
    if (!action) return null;
    if (key === " " && event.shiftKey) action = "prev";
    return { action };
  }
}

/** Keys Material's own shortcuts use (previous/next page, search) — swallowed while presenting. */
export const MATERIAL_KEYS = new Set(["p", "P", ",", "n", "N", ".", "s", "S", "f", "F", "/"]);

/** Is `event` a key typed into a form control (where the deck must not interfere)? */
export const isTyping = (event) => event.target instanceof Element && Boolean(event.target.closest(TYPING));
