// The public reporting page: the proof-of-work widget's worker and words, and the commune pickers
// (the communes of the chosen province; or a search by name, accents optional).
const form = document.getElementById("public-report-form");
const widget = form.querySelector("altcha-widget");
const workerUrl = new URL("../vendor/altcha-3.2.2/sha.js", import.meta.url);
if (window.$altcha) {
  window.$altcha.algorithms.set("SHA-256", () => new Worker(workerUrl));
}
// The widget's words, in the page's language, from the server's translations.
const strings = JSON.parse(document.getElementById("altcha-strings").textContent);
const language = widget.getAttribute("language") || "vi";
if (window.$altcha) {
  window.$altcha.i18n.set(language, { ...(window.$altcha.i18n.get(language) || {}), ...strings });
}
customElements.whenDefined("altcha-widget").then(() => {
  if (widget.configure) widget.configure({ language });
});

const url = form.dataset.communesUrl;
const province = document.getElementById("id_province");
const commune = document.getElementById("id_commune");
const search = document.getElementById("commune-search");
const matches = document.getElementById("commune-matches");

function fill(communes, chosen) {
  commune.replaceChildren(new Option("—", ""));
  for (const item of communes) commune.add(new Option(item.name, item.id, false, String(item.id) === String(chosen)));
}

async function load(params) {
  const response = await fetch(`${url}?${new URLSearchParams(params)}`, { headers: { Accept: "application/json" } });
  return response.ok ? (await response.json()).communes : [];
}

province.addEventListener("change", async () => {
  fill(province.value ? await load({ province: province.value }) : []);
});

let timer;
search.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const text = search.value.trim();
    matches.replaceChildren();
    if (text.length < 3) return;
    const found = await load({ q: text });
    if (!found.length) {
      matches.append(Object.assign(document.createElement("li"), { textContent: search.dataset.noResults }));
      return;
    }
    for (const item of found) {
      const button = Object.assign(document.createElement("button"), {
        type: "button",
        className: "btn btn-outline-primary w-100 text-start mb-1",
        textContent: item.name,
      });
      button.addEventListener("click", async () => {
        province.value = item.province;
        fill(await load({ province: item.province }), item.id);
        matches.replaceChildren();
        search.value = "";
        commune.focus();
      });
      const row = document.createElement("li");
      row.append(button);
      matches.append(row);
    }
  }, 250);
});

// A photo larger than the server takes is stopped here, before minutes of upload on mobile data.
const photo = document.getElementById("id_photo");
if (photo) {
  photo.addEventListener("change", () => {
    const file = photo.files[0];
    photo.setCustomValidity(file && file.size > Number(form.dataset.photoMax) ? form.dataset.photoTooLarge : "");
    photo.reportValidity();
  });
  form.addEventListener("submit", (event) => {
    if (!photo.checkValidity()) {
      event.preventDefault();
      photo.reportValidity();
    }
  });
}
