/*
 * netmark website tracker: pageviews (single-page-app history changes included), custom events with
 * properties and revenue, outbound-link and file-download clicks. It stores nothing in the browser and
 * sets no identifiers; the server identifies visitors with a rotating salted hash.
 *
 * Install, one tag in the page:
 *   <script defer data-domain="shop.example.com" src="https://mk.example.com/static/analytics/netmark.js"></script>
 *
 * Attributes of the tag:
 *   data-domain  the site's domain as registered in netmark (default: location.hostname)
 *   data-api     base URL of the netmark server, events go to <data-api>/api/event
 *                (default: the origin of this script's src)
 *   data-hash    hash changes count as page changes and the URL keeps its hash
 *   data-local   also track on localhost, 127.x.x.x, [::1] and file: pages, and in automated browsers
 *   data-optout  send nothing (for a page rendered for a visitor who opted out)
 *
 * Custom events, callable before the script has loaded when the page first runs this snippet:
 *   window.netmark = window.netmark || function(){(window.netmark.q = window.netmark.q || []).push(arguments)}
 * then:
 *   netmark("Signup", {props: {plan: "pro"}, revenue: {amount: "99.00", currency: "CNY"}, callback: fn})
 * Queued calls are replayed, in order, after the first pageview. Property values are sent as strings
 * (null and undefined values are dropped). The callback runs once the event is handed to the browser
 * (sendBeacon) or answered (fetch), and also when nothing is sent, so a page may navigate in it.
 *
 * Nothing is sent (callbacks still run) when any of these holds at the moment of sending:
 *   - the tag has data-optout;
 *   - window.netmarkOptOut === true (a page may set it before or after the script loads);
 *   - Do Not Track is on: navigator.doNotTrack == "1" or window.doNotTrack == "1";
 *   - Global Privacy Control is on: navigator.globalPrivacyControl === true;
 *   - without data-local: the page is on localhost, 127.x.x.x, [::1] or file:, or navigator.webdriver is true.
 *
 * Pageviews: one on load (deferred until a prerendered page is shown), then one per history.pushState,
 * history.replaceState, popstate or hashchange that changes location.pathname (or, with data-hash,
 * pathname + hash); a change of the query string alone is not a new page.
 * Clicks (left and middle button) on a link to a file with a download extension send "File Download",
 * other links to another host send "Outbound Link: Click", both with prop url = the link's href.
 * Nothing is prevented: the browser follows the link as usual and the beacon outlives the page.
 *
 * Wire format: one JSON object per event, POSTed to <api>/api/event as a text/plain body (sendBeacon,
 * else fetch with keepalive), so the browser sends no CORS preflight. Keys: n event name ("pageview"),
 * u page URL, d domain, r document.referrer or null, w innerWidth, p props, $ revenue {amount, currency}.
 *
 * The shipped file netmark/analytics/static/analytics/netmark.js is built from this one, from the
 * repository root, with terser from package.json (a test fails when the shipped file is stale):
 *   node_modules/.bin/terser netmark/analytics/tracker/netmark.src.js --compress passes=2 --mangle --comments false -o netmark/analytics/static/analytics/netmark.js
 *
 * ES5 on purpose: older in-app browsers (WeChat's and others') still run it.
 */
(function (w, d) {
  var nav = w.navigator;
  var loc = w.location;
  var hist = w.history;
  var script = d.currentScript;
  if (!script || (w.netmark && w.netmark.loaded)) return; // loaded twice: the first copy does the work

  function has(name) {
    return script.hasAttribute("data-" + name);
  }

  var endpoint =
    (script.getAttribute("data-api") || script.src.split("/").slice(0, 3).join("/")).replace(/\/+$/, "") +
    "/api/event";
  var domain = script.getAttribute("data-domain") || loc.hostname;
  var hashMode = has("hash");
  var local = has("local");
  var downloads = /\.(pdf|xlsx?|docx?|pptx?|csv|txt|rtf|zip|rar|7z|gz|tgz|dmg|exe|msi|pkg|apk|ipa|iso|mp4|mov|avi|wmv|mp3|wav|epub)$/i;
  var lastPage;

  function optedOut() {
    return (
      has("optout") ||
      w.netmarkOptOut === true ||
      nav.doNotTrack == "1" ||
      w.doNotTrack == "1" ||
      nav.globalPrivacyControl === true ||
      (!local &&
        (nav.webdriver || loc.protocol == "file:" || /^(localhost|127(\.\d+){3}|\[::1\])$/.test(loc.hostname)))
    );
  }

  function send(name, options) {
    var o = options || {};
    var done = o.callback || function () {};
    if (optedOut()) return done();
    var event = {
      n: name,
      u: hashMode ? loc.href : loc.href.split("#")[0],
      d: domain,
      r: d.referrer || null,
      w: w.innerWidth
    };
    var props = o.props;
    var revenue = o.revenue;
    var key;
    if (props) {
      event.p = {};
      for (key in props) if (props[key] != null) event.p[key] = "" + props[key];
    }
    if (revenue) event.$ = { amount: revenue.amount, currency: revenue.currency };
    var body = JSON.stringify(event);
    if (nav.sendBeacon && nav.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }))) return done();
    if (!w.fetch) return done();
    w.fetch(endpoint, {
      method: "POST",
      body: body,
      keepalive: true,
      headers: { "Content-Type": "text/plain" }
    }).then(done, done);
  }
  send.loaded = true;

  function pageview() {
    var page = loc.pathname + (hashMode ? loc.hash : "");
    if (page != lastPage) {
      lastPage = page;
      send("pageview");
    }
  }

  function click(e) {
    if (e.type == "auxclick" && e.button != 1) return; // middle button only; right clicks open menus
    for (var link = e.target; link && link.tagName != "A"; ) link = link.parentNode;
    if (!link || !/^https?:$/.test(link.protocol)) return;
    var name = downloads.test(link.pathname)
      ? "File Download"
      : link.host != loc.host
        ? "Outbound Link: Click"
        : "";
    if (name) send(name, { props: { url: link.href } });
  }

  ["pushState", "replaceState"].forEach(function (method) {
    var original = hist[method];
    hist[method] = function () {
      var result = original.apply(this, arguments);
      pageview();
      return result;
    };
  });
  w.addEventListener("popstate", pageview);
  w.addEventListener("hashchange", pageview);
  // Capture phase: a page's own handlers cannot hide link clicks with stopPropagation.
  d.addEventListener("click", click, true);
  d.addEventListener("auxclick", click, true);

  var queue = (w.netmark && w.netmark.q) || [];
  w.netmark = send;
  function start() {
    pageview();
    for (var i = 0; i < queue.length; i++) send.apply(w, queue[i]);
  }
  if (d.prerendering) d.addEventListener("prerenderingchange", start);
  else start();
})(window, document);
