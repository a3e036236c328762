// /tra-cuu: download the catalog once, keep only what the list shows plus a folded copy of each
// name, and filter as the visitor types. Every query word must be the start of a word of the
// name; accents and case do not matter ("dang ky" finds "Đăng ký"). The first 50 matches show.
"use strict";
(function () {
  const LIMIT = 50;
  const input = document.getElementById("q");
  const status = document.getElementById("status");
  const list = document.getElementById("results");
  let procedures = []; // {code, name, field, words: " dang ky khai sinh"}

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }

  function show(matches, total) {
    const fragment = document.createDocumentFragment();
    for (const p of matches) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = "/thu-tuc/" + encodeURIComponent(p.code);
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = p.name;
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = "Mã " + p.code + " · " + p.field;
      link.append(name, meta);
      item.append(link);
      fragment.append(item);
    }
    list.replaceChildren(fragment);
    status.textContent = total === procedures.length
      ? procedures.length + " thủ tục"
      : total + " kết quả" + (total > LIMIT ? " (hiện " + LIMIT + " đầu tiên)" : "");
  }

  function search() {
    const words = fold(input.value).split(/[^a-z0-9]+/).filter(Boolean).map((w) => " " + w);
    if (words.length === 0) {
      show(procedures.slice(0, LIMIT), procedures.length);
      return;
    }
    const matches = [];
    let total = 0;
    for (const p of procedures) {
      if (words.every((w) => p.words.includes(w))) {
        if (total < LIMIT) matches.push(p);
        total++;
      }
    }
    show(matches, total);
  }

  async function load() {
    try {
      const response = await fetch("/api/v1/catalog");
      if (!response.ok) throw new Error("HTTP " + response.status);
      const catalog = await response.json();
      procedures = catalog.procedures.map((p) => ({
        code: p.code,
        name: p.name,
        field: p.field,
        words: " " + fold(p.name).split(/[^a-z0-9]+/).filter(Boolean).join(" "),
      }));
    } catch (error) {
      status.textContent = "Không tải được danh mục thủ tục. Vui lòng thử lại sau.";
      return;
    }
    input.addEventListener("input", search);
    search();
    document.title = "Tra cứu thủ tục — " + procedures.length + " thủ tục";
  }

  load();
})();
