/* Shop assistant chat widget: one config object and one <script> tag, no dependencies.
 *
 *   <script>
 *     window.ShopAssistant = {
 *       apiBase: "https://assistant.example-store.com",   // default: where this script came from
 *       title: "Ask Northwind",                            // optional
 *       greeting: "Hi! Ask me about products, sizes, orders or returns.",
 *       customer: {id: "c_123", signature: "<hex HMAC-SHA256 of id, from your server>"},  // optional
 *       locale: "es"                                       // optional: fixes the conversation's language
 *     };
 *   </script>
 *   <script src="https://assistant.example-store.com/widget.js" async></script>
 *
 * A bubble opens a panel; answers stream over the session API (fetch + SSE parsing, so the
 * session token travels in a header, never in a URL). The conversation (id, token, last event
 * seq, rendered messages) lives in sessionStorage, so a reload - even mid-answer - resumes the
 * stream with /events?after=N and nothing is lost or shown twice (events are applied by seq).
 * While a person owns the conversation the widget keeps an event stream open for their replies.
 * Server text is only ever inserted as text (never as HTML); web addresses in it (a parcel's
 * tracking page) become links. An answer whose done event carries ``confirm`` (an order change
 * waiting for the shopper's yes or no) gets Yes / No buttons that send that answer.
 * Around an answer: product cards (``products`` event), two or three suggested next questions
 * (``suggestions``, gone once the shopper sends anything), thumbs up/down with an optional reason
 * (POST .../feedback) and its sources numbered from 1 in the order cited; what the shopper does
 * with them (a card or a suggestion opened) is recorded with POST .../events, so the store can see
 * whether the assistant helps. A refusal names a limit; the shopper reads a sentence about it.
 *
 * The widget's own words come from the store's message catalogs (prompts/messages/<lang>/ui.yaml),
 * which the server writes into this script where UI_CATALOGS stands. They follow the shopper:
 * the configured locale, else the language the assistant detected in their messages (each reply
 * says it), else the store page's <html lang>.
 */
(function () {
  "use strict";
  if (window.__shopAssistantWidget) return;
  var script = document.currentScript;
  var config = Object.assign({}, window.ShopAssistant || {});
  var apiBase = (config.apiBase || (script && script.src ? new URL(script.src, location.href).origin : location.origin))
    .replace(/\/+$/, "");
  var customer = config.customer || null;
  var CATALOGS = /*UI_CATALOGS*/{};
  var LIMITS = /*UI_LIMITS*/{};    // the store's message limits, for the refusal sentences
  var CITE_MARK = /\[\s*(\d{1,4}(?:\s*(?:[,;]|[-\u2013\u2014])\s*\d{1,4})*)\s*\]/g;
  var storageKey = "shop-assistant:" + apiBase + (customer && customer.id ? ":" + customer.id : "");
  var PERSON_OWNS = {queued: 1, agent: 1};
  var WEB_ADDRESS = /https?:\/\/[^\s<>"'()\[\]]+/g;
  // Yes / No buttons: labelled in the shopper's language, sending the words the order desk reads
  // (its yes/no reader is English today: "Ja" or "Oui" typed would not confirm either)
  var QUICK_REPLIES = [["yes", "confirm_yes", "Yes"], ["no", "confirm_no", "No"]];
  var ICON_CHAT = "<svg width='28' height='28' viewBox='0 0 24 24' fill='currentColor' aria-hidden='true'>" +
    "<path d='M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'/></svg>";
  var ICON_THUMB = "<svg width='15' height='15' viewBox='0 0 24 24' fill='none' stroke='currentColor' stroke-width='2' " +
    "stroke-linejoin='round' aria-hidden='true'><path d='M7 10v11H3V10zM7 10l4-8a3 3 0 0 1 3 3v4h6a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 " +
    "18.6 21H7'/></svg>";
  var ICON_PHOTO = "<svg width='18' height='18' viewBox='0 0 24 24' fill='none' stroke='currentColor' " +
    "stroke-width='2' aria-hidden='true'><rect x='3' y='6' width='18' height='14' rx='2'/>" +
    "<circle cx='12' cy='13' r='3.5'/><path d='M8 6l2-3h4l2 3'/></svg>";

  var state = restore();          // persisted: sessionId, token, expiresAt, lastSeq, owner, agent, language, open, messages
  var attachments = [];           // File objects waiting to be sent
  var views = new WeakMap();      // message -> its DOM node (never persisted)
  var localImages = new WeakMap();// message -> object URLs of photos picked in this page
  var following = false, sending = false;

  function restore() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(storageKey) || "null");
      if (saved && saved.sessionId) return saved;
    } catch (e) { /* storage blocked or corrupt: start fresh */ }
    return {sessionId: null, token: null, expiresAt: 0, lastSeq: 0, owner: "bot", agent: null, open: false, messages: []};
  }
  function pageLanguage() {
    var lang = (config.locale || document.documentElement.lang || "en").toLowerCase().split(/[-_]/)[0];
    return CATALOGS[lang] ? lang : "en";
  }
  function uiLanguage() {        // the configured locale, else the shopper's, else the page's
    var lang = config.locale ? pageLanguage() : (state.language || pageLanguage());
    return CATALOGS[lang] ? lang : "en";
  }
  function t(key, fields) {      // one of the widget's own sentences in the conversation's language
    var text = (CATALOGS[uiLanguage()] || {})[key] || (CATALOGS.en || {})[key] || key;
    return text.replace(/\{(\w+)\}/g, function (all, name) { return fields && fields[name] != null ? fields[name] : all; });
  }
  function save() {
    try { sessionStorage.setItem(storageKey, JSON.stringify(state)); } catch (e) { /* quota: keep going */ }
  }

  // -- DOM -------------------------------------------------------------------------------------
  var host = document.createElement("div");
  host.id = "shop-assistant";
  var root = host.attachShadow({mode: "open"});
  root.innerHTML =
    "<style>" +
    ":host{all:initial;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330}" +
    ".bubble{position:fixed;right:20px;bottom:20px;width:58px;height:58px;border-radius:50%;border:0;display:flex;align-items:center;justify-content:center;" +
    "background:#1f6feb;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.25);z-index:2147483000}" +
    ".panel{position:fixed;right:20px;bottom:90px;width:min(380px,calc(100vw - 40px));height:min(560px,calc(100vh - 120px));" +
    "display:none;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);" +
    "overflow:hidden;z-index:2147483000}" +
    ".panel.open{display:flex}" +
    "header{background:#1f6feb;color:#fff;padding:12px 14px;font-weight:600;display:flex;justify-content:space-between}" +
    "header button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}" +
    ".status{display:none;background:#fff4ce;padding:6px 14px;font-size:13px}.status.on{display:block}" +
    ".messages{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f8fa}" +
    ".msg{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}" +
    ".user{align-self:flex-end;background:#1f6feb;color:#fff}" +
    ".assistant{align-self:flex-start;background:#fff;border:1px solid #d8dee4}" +
    ".agent{align-self:flex-start;background:#e7f5e9;border:1px solid #9fd3a8}" +
    ".note{align-self:center;font-size:12px;color:#57606a;text-align:center}.error{color:#b42318}" +
    ".who{font-size:11px;font-weight:600;color:#2d6a35;display:block}" +
    ".sources{margin:6px 0 0;padding:6px 0 0;border-top:1px solid #eaeef2;font-size:12px;color:#57606a;list-style:none}" +
    ".photos{display:flex;gap:4px;flex-wrap:wrap;margin-bottom:4px}.photos img{width:64px;height:64px;object-fit:cover;border-radius:6px}" +
    ".typing::after{content:'\\2026';opacity:.6}" +
    ".msg a{color:inherit;text-decoration:underline}.assistant a{color:#0a58ca}" +
    ".msg.asks{border-color:#1f6feb;box-shadow:0 0 0 1px #1f6feb}" +
    ".quick{display:flex;gap:8px;margin-top:8px}.quick button{border:1px solid #1f6feb;background:#fff;color:#1f6feb;" +
    "border-radius:16px;padding:4px 16px;cursor:pointer;font:inherit;font-weight:600}" +
    ".quick button:hover{background:#1f6feb;color:#fff}" +
    ".cards{display:flex;gap:8px;overflow-x:auto;margin-top:8px;padding-bottom:2px;white-space:normal}" +
    ".card{flex:0 0 132px;border:1px solid #d8dee4;border-radius:10px;overflow:hidden;background:#fff;cursor:pointer;" +
    "display:flex;flex-direction:column;font-size:12px}.card:hover{border-color:#1f6feb}" +
    ".card img{width:100%;height:96px;object-fit:contain;background:#fff}.card .body{padding:6px 7px;display:flex;flex-direction:column;gap:2px}" +
    ".card .name{font-weight:600;line-height:1.25}.card .price{font-weight:600}.card s{color:#57606a;font-weight:400;margin-left:4px}" +
    ".card .stock{color:#2d6a35}.card .stock.out{color:#b42318}.card a{color:#0a58ca;text-decoration:underline}" +
    ".chips{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:95%}" +
    ".chips button{border:1px solid #1f6feb;background:#fff;color:#1f6feb;border-radius:14px;padding:4px 10px;cursor:pointer;" +
    "font:inherit;font-size:13px;text-align:left}.chips button:hover{background:#1f6feb;color:#fff}" +
    ".rate{display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin-top:6px;white-space:normal}" +
    ".rate button{border:1px solid #d0d7de;background:#fff;color:#57606a;border-radius:12px;padding:2px 8px;cursor:pointer;" +
    "display:flex;align-items:center}.rate button.down svg{transform:rotate(180deg)}" +
    ".rate button[aria-pressed=true]{background:#ddf4ff;border-color:#1f6feb;color:#1f6feb}" +
    ".rate input{flex:1;min-width:120px;border:1px solid #d0d7de;border-radius:6px;padding:3px 6px;font:inherit;font-size:12px}" +
    ".rate .thanks{font-size:12px;color:#57606a}" +
    ".sources a{color:#0a58ca}" +
    ".row button:disabled{opacity:.5;cursor:default}" +
    "form{display:flex;flex-direction:column;border-top:1px solid #d8dee4;padding:8px;gap:6px}" +
    ".row{display:flex;gap:6px;align-items:flex-end}" +
    "textarea{flex:1;resize:none;border:1px solid #d0d7de;border-radius:8px;padding:7px;font:inherit;max-height:90px}" +
    ".row button,.attach{border:0;border-radius:8px;padding:8px 11px;cursor:pointer;background:#1f6feb;color:#fff;font:inherit}" +
    ".attach{background:#eaeef2;color:#1d2330}" +
    ".pending{display:flex;gap:4px;flex-wrap:wrap}.pending span{position:relative}" +
    ".pending img{width:48px;height:48px;object-fit:cover;border-radius:6px}" +
    ".pending button{position:absolute;top:-6px;right:-6px;border:0;border-radius:50%;width:18px;height:18px;" +
    "font-size:11px;line-height:18px;padding:0;cursor:pointer;background:#57606a;color:#fff}" +
    "</style>" +
    "<button class='bubble' data-testid='sa-bubble'>" + ICON_CHAT + "</button>" +
    "<section class='panel' data-testid='sa-panel' role='dialog'>" +
    "<header><span class='title'></span><button class='close'>&times;</button></header>" +
    "<div class='status' data-testid='sa-status'></div>" +
    "<div class='messages' data-testid='sa-messages' aria-live='polite'></div>" +
    "<form><div class='pending' data-testid='sa-attachments'></div><div class='row'>" +
    "<label class='attach'>" + ICON_PHOTO + "<input type='file' accept='image/*' multiple hidden data-testid='sa-file'></label>" +
    "<textarea rows='1' data-testid='sa-input'></textarea>" +
    "<button type='submit' data-testid='sa-send'></button></div></form></section>";
  var $ = function (sel) { return root.querySelector(sel); };
  var panel = $(".panel"), list = $(".messages"), input = $("textarea"), fileInput = $("input[type=file]");

  function label() {             // the widget's own words, again whenever the language changes
    $(".title").textContent = config.title || t("title");
    $(".bubble").setAttribute("aria-label", t("open_chat"));
    $(".close").setAttribute("aria-label", t("close"));
    $(".attach").title = t("upload_hint");
    $(".attach").setAttribute("aria-label", t("attach"));
    input.placeholder = t("placeholder");
    $("[data-testid=sa-send]").textContent = t("send");
    panel.setAttribute("lang", uiLanguage());
  }
  function follows(language) {   // a reply said which language the shopper writes in
    if (!language || language === state.language) return;
    state.language = language;
    label(); renderStatus();
  }

  function setOpen(open) {
    state.open = open;
    panel.classList.toggle("open", open);
    save();
    if (open) input.focus();
  }
  $(".bubble").addEventListener("click", function () { setOpen(!state.open); });
  $(".close").addEventListener("click", function () { setOpen(false); });
  $("form").addEventListener("submit", function (e) { e.preventDefault(); send(); });
  function canSend() {           // nothing typed (or only spaces) and no photo: nothing to send
    $("[data-testid=sa-send]").disabled = !input.value.trim() && !attachments.length;
  }
  input.addEventListener("input", canSend);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); }
  });
  fileInput.addEventListener("change", function () {
    Array.prototype.forEach.call(fileInput.files, function (f) { attachments.push(f); });
    fileInput.value = "";
    renderAttachments();
  });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function textWithLinks(text) {     // text nodes and <a> elements only: nothing is parsed as HTML
    var span = el("span", "text"), at = 0, match;
    WEB_ADDRESS.lastIndex = 0;
    while ((match = WEB_ADDRESS.exec(text))) {
      var address = match[0].replace(/[.,;:!?]+$/, "");
      var link = el("a", null, linkLabel(address));      // the site's name; the whole address on hover
      link.href = address; link.title = address; link.target = "_blank"; link.rel = "noopener noreferrer";
      span.append(document.createTextNode(text.slice(at, match.index)), link);
      at = WEB_ADDRESS.lastIndex = match.index + address.length;
    }
    span.append(document.createTextNode(text.slice(at)));
    return span;
  }

  function linkLabel(address) {
    try { return new URL(address).hostname.replace(/^www\./, "") + " \u2197"; } catch (e) { return address; }
  }

  function quickReplies(message) {   // Yes / No for an order change the answer asks about
    var box = el("div", "quick");
    box.dataset.testid = "sa-confirm";
    box.dataset.action = message.confirm.action || "";
    box.dataset.order = message.confirm.order_id || "";
    QUICK_REPLIES.forEach(function (reply) {
      var button = el("button", null, t(reply[1]));
      button.type = "button";
      button.dataset.testid = "sa-confirm-" + reply[0];
      button.addEventListener("click", function () { send(reply[2]); });
      box.append(button);
    });
    return box;
  }

  // -- what comes with an answer: sources, product cards, suggestions, a rating --------------
  function citedOrder(message) {     // evidence number -> position among the sources shown (from 1)
    var order = {}, next = 1;
    if (message.citations && message.citations.length) {
      message.citations.forEach(function (c) { if (c.number != null && !order[c.number]) order[c.number] = next++; });
      return order;
    }
    (message.text || "").replace(CITE_MARK, function (all, inner) {   // still streaming: first come, first numbered
      inner.split(/\s*[,;\-\u2013\u2014]\s*/).forEach(function (n) { if (!order[n]) order[n] = next++; });
      return all;
    });
    return order;
  }
  function renumbered(message) {     // "[4]" in the answer reads as "[1]" when it is the first source
    var order = citedOrder(message), known = !!(message.citations && message.citations.length);
    return (message.text || "").replace(CITE_MARK, function (all, inner) {
      var marks = [];
      inner.split(/\s*[,;]\s*/).forEach(function (chunk) {
        var span = chunk.split(/\s*[-\u2013\u2014]\s*/), low = +span[0], high = +(span[1] || span[0]);
        for (var n = low; n <= high && n - low < 20; n++) if (order[n] && marks.indexOf(order[n]) < 0) marks.push(order[n]);
      });
      if (!marks.length) return known ? "" : all;
      return "[" + marks.join(", ") + "]";
    });
  }
  function source(message, citation, position) {
    var item = el("li"), label = "[" + position + "] ";
    item.dataset.testid = "sa-source";
    item.append(document.createTextNode(label));
    if (citation.url) {
      var link = el("a", null, citation.title);
      link.href = citation.url; link.target = "_blank"; link.rel = "noopener noreferrer";
      link.addEventListener("click", function () { record(message, "citation_click", citation.source_id); });
      item.append(link);
    } else {
      item.append(document.createTextNode(citation.title || ""));
    }
    return item;
  }

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(uiLanguage(), {style: "currency", currency: currency || "USD"}).format(amount);
    } catch (e) { return (currency ? currency + " " : "") + amount; }
  }
  function productCards(message) {
    var box = el("div", "cards");
    box.dataset.testid = "sa-cards";
    message.products.forEach(function (p) {
      var card = el("div", "card"), body = el("div", "body");
      card.dataset.testid = "sa-card";
      card.dataset.product = p.id;
      if (p.image) {
        var img = el("img");
        img.loading = "lazy"; img.alt = p.name || ""; img.src = /^https?:/.test(p.image) ? p.image : apiBase + p.image;
        card.append(img);
      }
      body.append(el("span", "name", [p.brand, p.name].filter(Boolean).join(" ")));
      if (p.price != null) {
        var price = el("span", "price", money(p.price, p.currency) + (p.price_max ? " \u2013 " + money(p.price_max, p.currency) : ""));
        price.dataset.testid = "sa-price";
        if (p.compare_at_price != null && p.compare_at_price > p.price) {
          var was = el("s", null, money(p.compare_at_price, p.currency));
          was.dataset.testid = "sa-was-price";
          price.append(was);
        }
        body.append(price);
      }
      if (p.in_stock != null) body.append(el("span", "stock" + (p.in_stock ? "" : " out"), t(p.in_stock ? "in_stock" : "out_of_stock")));
      var link = null;
      if (p.url) {
        link = el("a", null, t("view_product"));
        link.href = p.url; link.target = "_blank"; link.rel = "noopener noreferrer";
        body.append(link);
      }
      card.append(body);
      card.addEventListener("click", function (e) {      // the whole card opens the product page
        record(message, "product_click", p.id);
        if (link && !link.contains(e.target)) window.open(p.url, "_blank", "noopener");
      });
      box.append(card);
    });
    return box;
  }

  var chipViews = new WeakMap();
  function renderChips(message, node) {   // suggestions follow the latest answer until the shopper sends
    var old = chipViews.get(message);
    if (old) old.remove();
    if (!message.complete || !message.suggestions || !message.suggestions.length) return;
    var box = el("div", "chips");
    box.dataset.testid = "sa-suggestions";
    box.setAttribute("aria-label", t("suggested"));
    message.suggestions.slice(0, 3).forEach(function (question) {
      var chip = el("button", null, question);
      chip.type = "button";
      chip.dataset.testid = "sa-suggestion";
      chip.addEventListener("click", function () {
        if (sending) return;
        record(message, "suggestion_click", question);
        send(question);
      });
      box.append(chip);
    });
    chipViews.set(message, box);
    node.after(box);
  }

  function ratingBar(message) {
    var bar = el("div", "rate");
    bar.dataset.testid = "sa-rating";
    [["up", "rate_up"], ["down", "rate_down"]].forEach(function (choice) {
      var button = el("button", choice[0]);
      button.innerHTML = ICON_THUMB;                // the widget's own icon; no server text here
      button.type = "button";
      button.dataset.testid = "sa-rate-" + choice[0];
      button.title = t(choice[1]); button.setAttribute("aria-label", t(choice[1]));
      button.setAttribute("aria-pressed", message.rating === choice[0] ? "true" : "false");
      button.addEventListener("click", function () {
        if (message.rating === choice[0]) return;
        message.rating = choice[0]; message.reasonSent = false;
        rate(message, null);
      });
      bar.append(button);
    });
    if (message.rating === "down" && !message.reasonSent) {
      var reason = el("input");
      reason.dataset.testid = "sa-reason";
      reason.maxLength = 500;
      reason.placeholder = t("reason_placeholder");
      var submit = el("button", null, t("send"));
      submit.type = "button";
      submit.dataset.testid = "sa-reason-send";
      var go = function () {
        var text = reason.value.trim();
        if (!text) return;
        message.reasonSent = true;
        rate(message, text);
      };
      submit.addEventListener("click", go);
      reason.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); go(); } });
      bar.append(reason, submit);
    } else if (message.rating) {
      bar.append(el("span", "thanks", t("feedback_thanks")));
    }
    return bar;
  }
  function rate(message, reason) {
    render(message); save();
    var body = {turn: message.turn, rating: message.rating};
    if (reason) body.reason = reason;
    api("POST", "/sessions/" + state.sessionId + "/feedback", body).then(function (res) {
      if (!res.ok) return problem(res).then(function (msg) { note(msg, true); });
    }).catch(function () { note(t("not_sent"), true); });
  }
  function record(message, type, target) {   // fire and forget; keepalive outlives a page the link leaves
    if (!state.sessionId || message.turn == null) return;
    try {
      api("POST", "/sessions/" + state.sessionId + "/events", {type: type, turn: message.turn, target: target || null},
        null, true).catch(function () { /* a lost click is not the shopper's problem */ });
    } catch (e) { /* keep going */ }
  }

  function renderAttachments() {
    var box = $(".pending");
    box.textContent = "";
    attachments.forEach(function (file, i) {
      var item = el("span"), img = el("img"), remove = el("button", null, "\u00d7");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      remove.type = "button";
      remove.setAttribute("aria-label", t("remove_photo"));
      remove.addEventListener("click", function () { attachments.splice(i, 1); renderAttachments(); });
      item.append(img, remove);
      box.append(item);
    });
    canSend();
  }

  function renderStatus() {
    var status = $(".status");
    var text = state.owner === "queued" ? t("queued")
      : state.owner === "agent" ? t("with_agent", {agent: state.agent || t("a_team_member")}) : "";
    status.textContent = text;
    status.dataset.owner = state.owner;
    status.classList.toggle("on", !!text);
  }

  function render(message) {
    var node = views.get(message);
    if (!node) {
      node = el("div", "msg " + (message.role === "system" ? "note" : message.role));
      node.dataset.role = message.role;
      views.set(message, node);
      list.append(node);
    }
    node.textContent = "";
    node.dataset.complete = message.complete ? "true" : "false";
    if (message.turn != null) node.dataset.turn = message.turn;
    if (message.error) node.classList.add("error");
    var photos = localImages.get(message) || (message.images || []).map(serverPhoto);
    if (photos.length) {
      var strip = el("div", "photos");
      photos.forEach(function (src) {
        var img = el("img");
        img.alt = t("photo");
        img.dataset.testid = "sa-photo";
        if (typeof src === "string") img.src = src; else src.then(function (url) { if (url) img.src = url; });
        strip.append(img);
      });
      node.append(strip);
    }
    if (message.role === "agent") node.append(el("span", "who", message.agent || t("our_team")));
    node.append(textWithLinks(message.role === "assistant" ? renumbered(message) : message.text || ""));
    node.classList.toggle("asks", !!message.confirm);
    if (message.confirm && message.complete) node.append(quickReplies(message));
    if (message.products && message.products.length) node.append(productCards(message));
    if (message.role === "assistant" && !message.complete && !message.text) node.classList.add("typing");
    else node.classList.remove("typing");
    if (message.citations && message.citations.length) {
      var sources = el("ul", "sources");
      sources.dataset.testid = "sa-citations";
      message.citations.forEach(function (c, i) { sources.append(source(message, c, i + 1)); });
      node.append(sources);
    }
    if (message.role === "assistant" && message.complete && message.turn != null && !message.error) {
      node.append(ratingBar(message));
    }
    renderChips(message, node);
    list.scrollTop = list.scrollHeight;
  }

  var photoCache = {};
  function serverPhoto(ref) {       // uploads need the session token, so fetch them as blobs
    if (!photoCache[ref.id]) {
      photoCache[ref.id] = api("GET", ref.url.replace(/^\/api\/v1/, "")).then(function (res) {
        return res.ok ? res.blob().then(function (b) { return URL.createObjectURL(b); }) : null;
      }).catch(function () { return null; });
    }
    return photoCache[ref.id];
  }

  function add(message) { state.messages.push(message); render(message); return message; }
  function note(text, isError) { add({role: "system", text: text, error: !!isError, complete: true}); save(); }
  function answerFor(turn) {
    for (var i = state.messages.length - 1; i >= 0; i--) {
      var m = state.messages[i];
      if (m.role === "assistant" && m.turn === turn) return m;
    }
    return add({role: "assistant", turn: turn, text: "", citations: [], complete: false});
  }

  // -- events: applied once each, in seq order ------------------------------------------
  function apply(ev) {
    if (typeof ev.seq === "number") {
      if (ev.seq <= state.lastSeq) return;
      state.lastSeq = ev.seq;
    }
    var m;
    switch (ev.type) {
      case "user":
        m = null;
        for (var i = state.messages.length - 1; i >= 0; i--) {
          if (state.messages[i].role === "user" && state.messages[i].unconfirmed) { m = state.messages[i]; break; }
        }
        if (m) { delete m.unconfirmed; m.turn = ev.turn; m.images = ev.images || []; render(m); }
        else add({role: "user", turn: ev.turn, text: ev.content || "", images: ev.images || [], complete: true});
        break;
      case "token":
        m = answerFor(ev.turn); m.text += ev.text || ""; render(m); break;
      case "citations":
        m = answerFor(ev.turn); m.citations = ev.citations || []; render(m); break;
      case "products":
        m = answerFor(ev.turn); m.products = ev.products || []; render(m); break;
      case "suggestions":
        m = answerFor(ev.turn); m.suggestions = ev.suggestions || []; render(m); break;
      case "done":
        m = null;
        for (var j = state.messages.length - 1; j >= 0; j--) {
          if (state.messages[j].role === "assistant" && state.messages[j].turn === ev.turn) { m = state.messages[j]; break; }
        }
        if (m) {
          m.complete = true;
          if (!m.text && ev.answer) m.text = ev.answer;
          if (ev.confirm) m.confirm = ev.confirm;
          render(m);
        }
        follows(ev.language);
        break;
      case "state":
        if (ev.state && ev.state.owner) { state.owner = ev.state.owner; renderStatus(); }
        if (ev.state) follows(ev.state.language);
        break;
      case "handoff":                 // the bot handed the chat to the store's team: a ticket is queued
        if (ev.handoff !== false && !PERSON_OWNS[state.owner]) state.owner = "queued";
        if (ev.message) note(ev.message);
        renderStatus();
        break;
      case "agent_message":
        state.owner = "agent";
        if (ev.agent) state.agent = ev.agent;
        add({role: "agent", agent: ev.agent, text: ev.content || ev.text || "", complete: true});
        renderStatus();
        break;
      case "notice":                  // ownership changes (agent joined, handed back) come as notices
        if (ev.takeover && ev.takeover.status) {
          state.owner = PERSON_OWNS[ev.takeover.status] ? ev.takeover.status : "bot";
          if (ev.takeover.agent) state.agent = ev.takeover.agent;
          renderStatus();
        }
        if (ev.text) note(ev.text);
        break;
      case "perception":
        if (ev.text || ev.summary) note(ev.text || ev.summary);
        break;
      case "error":
        note(ev.message || t("error"), true);
        break;
    }
    save();
  }

  // -- HTTP ---------------------------------------------------------------------------------
  function api(method, path, body, headers, keepalive) {
    var h = Object.assign({}, headers || {});
    if (state.token) h.Authorization = "Bearer " + state.token;
    if (body && !(body instanceof FormData)) { h["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    return fetch(apiBase + "/api/v1" + path, {method: method, headers: h, body: body, keepalive: !!keepalive});
  }

  // A refusal names the limit it hit; the shopper reads a sentence about it, never a setting's name.
  var LIMIT_SENTENCES = {
    max_message_chars: "limit_message_chars", max_images_per_turn: "limit_images", max_image_bytes: "limit_image_bytes",
    max_body_bytes: "limit_image_bytes", max_image_pixels: "limit_image_bytes", image_type: "limit_image_type",
    image_format: "limit_image_type", image_data: "limit_image_type", rate_limit_per_session: "limit_rate",
    rate_limit_per_ip: "limit_rate", one_reply_at_a_time: "limit_busy", empty_message: "limit_empty"
  };
  function problem(res) {
    return res.json().then(function (b) {
      var key = LIMIT_SENTENCES[b && b.error && b.error.limit];
      if (key) {
        return t(key, {max: key === "limit_images" ? LIMITS.max_images_per_turn : LIMITS.max_message_chars,
                       mb: Math.max(1, Math.floor((LIMITS.max_image_bytes || 0) / 1048576)),
                       seconds: res.headers.get("Retry-After") || 10});
      }
      return res.status >= 500 ? t("unavailable", {status: res.status}) : t("not_sent");
    }, function () { return t("unavailable", {status: res.status}); });
  }

  function ensureSession() {
    var now = Date.now() / 1000;
    if (state.sessionId && state.expiresAt - now > 300) return Promise.resolve();
    var renewing = !!state.sessionId && state.expiresAt > now;
    var body = customer ? {customer_id: customer.id, customer_signature: customer.signature} : {};
    if (config.locale) body.locale = config.locale;
    var request = renewing ? api("POST", "/sessions/" + state.sessionId + "/token")
      : (state.token = null, api("POST", "/sessions", body));
    return request.then(function (res) {
      if (!res.ok) return problem(res).then(function (msg) { throw new Error(msg); });
      return res.json().then(function (grant) {
        if (!renewing && state.sessionId) note(t("session_expired"));
        if (!renewing) { state.lastSeq = 0; state.owner = "bot"; }
        state.sessionId = grant.session_id; state.token = grant.token; state.expiresAt = grant.expires_at;
        save();
      });
    });
  }

  function readEvents(res) {       // fetch + ReadableStream: parse text/event-stream blocks
    var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, {stream: true});
        var blocks = buffer.split(/\r?\n\r?\n/);
        buffer = blocks.pop();
        blocks.forEach(function (block) {
          var data = [];
          block.split(/\r?\n/).forEach(function (line) {
            if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
          });
          if (data.length) { try { apply(JSON.parse(data.join("\n"))); } catch (e) { /* not ours */ } }
        });
        return pump();
      });
    }
    return pump();
  }

  function send(quick) {
    var text = quick || input.value.trim();
    if (sending || (!text && !attachments.length)) return;
    state.messages.forEach(function (m) {      // a question answered (or passed over) asks no more
      if (m.confirm || m.suggestions) { delete m.confirm; delete m.suggestions; render(m); }
    });
    var files = quick ? [] : attachments.slice();
    var mine = {role: "user", text: text, images: [], unconfirmed: true, complete: true};
    localImages.set(mine, files.map(function (f) { return URL.createObjectURL(f); }));
    if (!quick) { input.value = ""; attachments = []; renderAttachments(); }
    canSend();
    add(mine);
    sending = true;
    ensureSession().then(function () {
      var form = new FormData();
      form.append("text", text);
      files.forEach(function (f) { form.append("images", f, f.name || "photo"); });
      return api("POST", "/sessions/" + state.sessionId + "/messages", form, {Accept: "text/event-stream"});
    }).then(function (res) {
      if (!res.ok) return problem(res).then(function (msg) { throw new Error(msg); });
      return readEvents(res);
    }).catch(function (err) {
      if (mine.unconfirmed) { delete mine.unconfirmed; mine.failed = true; }
      note(err.message || t("not_sent"), true);
    }).then(function () {
      sending = false;
      save();
      if (PERSON_OWNS[state.owner]) follow();
    });
  }

  // Resume: replay what this page has not applied yet, then follow while anything is pending
  // or a person owns the conversation; reconnect (with a pause) if the connection drops.
  function follow(attempt) {
    attempt = attempt || 0;
    if (following || !state.sessionId) return;
    following = true;
    ensureSession().then(function () {
      return api("GET", "/sessions/" + state.sessionId + "/events?after=" + state.lastSeq, null,
        {Accept: "text/event-stream"});
    }).then(function (res) {
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        state.sessionId = null; state.token = null; save(); return "gone";
      }
      if (!res.ok) throw new Error("HTTP " + res.status);
      return readEvents(res);
    }).then(function (result) {
      following = false;
      if (result !== "gone" && PERSON_OWNS[state.owner]) setTimeout(follow, 1000);
    }, function () {
      following = false;
      if (attempt < 8) setTimeout(function () { follow(attempt + 1); }, Math.min(30000, 1000 * Math.pow(2, attempt)));
    });
  }

  function start() {
    document.body.appendChild(host);
    label();
    canSend();
    if (config.greeting && !state.messages.length) {
      render({role: "assistant", text: config.greeting, complete: true});
    }
    state.messages.forEach(render);
    renderStatus();
    if (state.open) setOpen(true);
    if (state.sessionId) follow();
    window.__shopAssistantWidget = {state: state, open: function () { setOpen(true); }, apiBase: apiBase};
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
