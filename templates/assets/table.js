/*
 * changeproof's tables: filter, sort, search and page through a population of any size, offline.
 *
 * The rows come in numbered data files (data/<table>-0000.js, ...), each a call to
 * changeproofRows(table, index, rows), loaded one after the other as <script> elements: a page
 * opened from a folder (file://) may not fetch, and the CSP allows only this folder's scripts.
 * The first page shows as soon as the first file arrives; filters, sort and search apply to what
 * has loaded, and the status line says how much that is.
 *
 * A row is [href, class, cell, cell, ...]. Every cell is put in the page as text (textContent),
 * never as markup: titles, names and branches come from git and GitHub and anyone can write them.
 * Links are the export's own pages only.
 */
(() => {
  const PAGE = 100;
  const OWN_PAGE = /^[a-z0-9][a-z0-9/._-]*\.html$/;
  const tables = {};

  window.changeproofRows = (name, index, rows) => {
    const t = tables[name];
    if (!t || index !== t.loaded) return;
    for (let i = 0; i < rows.length; i++) t.all.push(rows[i]);
    t.loaded++;
    t.apply(t.loaded === 1);
    t.next();
  };

  function Table(el) {
    this.el = el;
    this.name = el.getAttribute("data-table");
    this.chunks = Number(el.getAttribute("data-chunks")) || 0;
    this.total = Number(el.getAttribute("data-rows")) || 0;
    this.root = el.getAttribute("data-root") || "";
    this.all = [];
    this.view = [];
    this.loaded = 0;
    this.failed = null;
    this.page = 0;
    this.sort = null;
    this.body = el.querySelector("tbody");
    this.heads = Array.prototype.slice.call(el.querySelectorAll("thead th"));
    const box = document.querySelector(`[data-controls="${this.name}"]`);
    this.search = box.querySelector("input[type=search]");
    this.filters = Array.prototype.slice.call(box.querySelectorAll("select[data-col]"));
    this.status = box.querySelector(".status");
    this.prev = box.querySelector("button.prev");
    this.nextPage = box.querySelector("button.next");
    let pending = null;
    this.search.addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        this.apply(true);
      }, 150);
    });
    this.filters.forEach((f) => {
      f.addEventListener("change", () => {
        this.apply(true);
      });
    });
    this.heads.forEach((th, i) => {
      if (!th.hasAttribute("data-type")) return;
      const b = document.createElement("button");
      b.type = "button";
      b.className = "sort";
      b.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", () => {
        const desc = this.sort && this.sort.col === i && !this.sort.desc;
        this.sort = { col: i, desc: desc, type: th.getAttribute("data-type") };
        this.heads.forEach((h) => {
          h.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        this.apply(true);
      });
    });
    this.prev.addEventListener("click", () => {
      if (this.page > 0) {
        this.page--;
        this.render();
      }
    });
    this.nextPage.addEventListener("click", () => {
      if ((this.page + 1) * PAGE < this.view.length) {
        this.page++;
        this.render();
      }
    });
    // A link can open a table already searched: tables.html#q=<text>.
    const m = /[#&]q=([^&]*)/.exec(location.hash);
    if (m) {
      try {
        this.search.value = decodeURIComponent(m[1]);
      } catch (_e) {
        this.search.value = "";
      }
    }
  }

  Table.prototype.next = function () {
    if (this.loaded >= this.chunks) return;
    const s = document.createElement("script");
    let n = String(this.loaded);
    while (n.length < 4) n = `0${n}`;
    s.src = `${this.root}data/${this.name}-${n}.js`;
    s.onerror = () => {
      this.failed = s.src;
      this.render();
    };
    document.head.appendChild(s);
  };

  Table.prototype.matches = (row, words, filters) => {
    for (let f = 0; f < filters.length; f++) {
      const cell = String(row[filters[f].col + 2]);
      if (filters[f].contains ? cell.indexOf(filters[f].value) < 0 : cell !== filters[f].value) return false;
    }
    if (words.length === 0) return true;
    if (row.text === undefined) {
      // Built once per row, on the first search that needs it.
      Object.defineProperty(row, "text", { value: row.slice(2).join("\n").toLowerCase(), enumerable: false });
    }
    for (let w = 0; w < words.length; w++) if (row.text.indexOf(words[w]) < 0) return false;
    return true;
  };

  Table.prototype.apply = function (reset) {
    const words = this.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const filters = this.filters
      .filter((f) => f.value !== "")
      .map((f) => ({
        col: Number(f.getAttribute("data-col")),
        value: f.value,
        contains: f.getAttribute("data-match") === "contains",
      }));
    // Unfiltered and unsorted, the view is the rows themselves: no copy per chunk while loading.
    const view =
      words.length === 0 && filters.length === 0
        ? this.sort
          ? this.all.slice()
          : this.all
        : this.all.filter((r) => this.matches(r, words, filters));
    if (this.sort) {
      const c = this.sort.col + 2;
      const sign = this.sort.desc ? -1 : 1;
      const num = this.sort.type === "num";
      view.sort((a, b) => {
        const x = a[c];
        const y = b[c];
        if (num) {
          // An empty cell (not known) sorts after every number, either way.
          const ex = x === "" || x === null || x === undefined;
          const ey = y === "" || y === null || y === undefined;
          if (ex || ey) return ex === ey ? 0 : ex ? 1 : -1;
          return sign * (Number(x) - Number(y));
        }
        return sign * (x < y ? -1 : x > y ? 1 : 0);
      });
    }
    this.view = view;
    if (reset) this.page = 0;
    this.render();
  };

  Table.prototype.render = function () {
    const frag = document.createDocumentFragment();
    const end = Math.min(this.view.length, (this.page + 1) * PAGE);
    for (let i = this.page * PAGE; i < end; i++) {
      const row = this.view[i];
      const tr = document.createElement("tr");
      if (row[1]) tr.className = row[1];
      for (let j = 2; j < row.length; j++) {
        const td = document.createElement("td");
        const cls = this.heads[j - 2] && this.heads[j - 2].getAttribute("data-class");
        if (cls) td.className = cls;
        const text = row[j] === null || row[j] === undefined ? "" : String(row[j]);
        if (j === 2 && row[0] && OWN_PAGE.test(row[0])) {
          const a = document.createElement("a");
          a.href = this.root + row[0];
          a.textContent = text;
          td.appendChild(a);
        } else {
          td.textContent = text;
        }
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    this.body.textContent = "";
    this.body.appendChild(frag);
    const from = this.view.length === 0 ? 0 : this.page * PAGE + 1;
    const loading = this.loaded < this.chunks && !this.failed;
    this.status.textContent =
      (this.view.length === 0 ? "No rows" : `Rows ${from}–${end} of ${this.view.length}`) +
      (this.view.length !== this.all.length ? ` (filtered from ${this.all.length})` : "") +
      (loading ? ` · loading: ${this.all.length} of ${this.total} rows read so far` : "") +
      (this.failed ? ` · could not read ${this.failed}: ${this.total - this.all.length} rows are missing here` : "");
    this.el.setAttribute("data-state", this.failed ? "failed" : loading ? "loading" : "ready");
    this.prev.disabled = this.page === 0;
    this.nextPage.disabled = end >= this.view.length;
  };

  document.addEventListener("DOMContentLoaded", () => {
    const els = document.querySelectorAll("table[data-table]");
    for (let i = 0; i < els.length; i++) {
      const t = new Table(els[i]);
      tables[t.name] = t;
      if (t.chunks === 0) t.apply(true);
      else t.next();
    }
  });
})();
