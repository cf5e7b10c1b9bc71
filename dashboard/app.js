// Switchboard billing dashboard.
//
// Plain script, no dependencies, no build step. It runs under the gateway's strict CSP
// (script-src 'self'; style-src 'self'; connect-src 'self'; ...), so it never uses inline
// handlers, inline styles or eval. Every string that comes from the API is inserted with
// textContent / createTextNode / setAttribute, never as HTML.
(function () {
    'use strict';

    var STORAGE_KEY = 'switchboard.dashboard.key';
    var SVG_NS = 'http://www.w3.org/2000/svg';
    var DAY_MS = 86400000;
    var EN_DASH = '\u2013';

    // ---------------------------------------------------------------- state

    var state = {
        apiKey: '',       // the key lives here; localStorage only when "remember" is checked
        data: null,       // last successful response
        busy: false
    };

    var el = {};

    function $(id) { return document.getElementById(id); }

    // ---------------------------------------------------------------- storage

    function storageGet() {
        try { return window.localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
    }

    function storageSet(value) {
        try { window.localStorage.setItem(STORAGE_KEY, value); } catch (e) { /* storage unavailable */ }
    }

    function storageRemove() {
        try { window.localStorage.removeItem(STORAGE_KEY); } catch (e) { /* storage unavailable */ }
    }

    // ---------------------------------------------------------------- formatting

    function num(value) {
        return typeof value === 'number' && isFinite(value) ? value : 0;
    }

    function formatInt(value) {
        return num(value).toLocaleString('en-US');
    }

    function formatCompact(value) {
        var v = num(value);
        if (Math.abs(v) < 10000) return v.toLocaleString('en-US');
        return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(v);
    }

    // $12.35, $0.0123, $0.000012: two decimals for amounts >= $1, otherwise three significant
    // digits (at least 2 and at most 6 decimals), trailing zeros trimmed down to 2 decimals.
    function formatCost(value) {
        if (typeof value !== 'number' || !isFinite(value)) return EN_DASH;
        var sign = value < 0 ? '-' : '';
        var a = Math.abs(value);
        var s;
        if (a === 0) {
            s = '0.00';
        } else if (a >= 1) {
            s = a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        } else if (a < 0.000001) {
            return sign + '<$0.000001';
        } else {
            var decimals = Math.min(6, Math.max(2, 2 - Math.floor(Math.log10(a))));
            s = a.toFixed(decimals);
            var dot = s.indexOf('.');
            while (s.length > dot + 3 && s.charAt(s.length - 1) === '0') s = s.slice(0, -1);
        }
        return sign + '$' + s;
    }

    function formatRate(rate) {
        if (typeof rate !== 'number' || !isFinite(rate)) return EN_DASH;
        return (rate * 100).toFixed(1) + '%';
    }

    function plural(n, one, many) {
        return formatInt(n) + ' ' + (n === 1 ? one : many);
    }

    // ---------------------------------------------------------------- dates (UTC)

    function isoDay(date) {
        return date.toISOString().slice(0, 10);
    }

    function todayUTC() {
        var now = new Date();
        return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    }

    function setRange(days) {
        var end = todayUTC();
        var start = new Date(end.getTime() - (days - 1) * DAY_MS);
        el.from.value = isoDay(start);
        el.to.value = isoDay(end);
        markRangeButtons();
    }

    function markRangeButtons() {
        var buttons = document.querySelectorAll('.range-button');
        var end = todayUTC();
        for (var i = 0; i < buttons.length; i++) {
            var days = parseInt(buttons[i].getAttribute('data-days'), 10);
            var start = new Date(end.getTime() - (days - 1) * DAY_MS);
            var active = el.to.value === isoDay(end) && el.from.value === isoDay(start);
            buttons[i].classList.toggle('active', active);
            buttons[i].setAttribute('aria-pressed', active ? 'true' : 'false');
        }
    }

    function shortDay(iso) {
        // "2026-11-03" -> "Nov 3"
        var parts = String(iso).split('-');
        var months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
        var m = parseInt(parts[1], 10);
        var d = parseInt(parts[2], 10);
        if (!m || !d || m > 12) return String(iso);
        return months[m - 1] + ' ' + d;
    }

    // ---------------------------------------------------------------- requests

    function gatewayBase() {
        return el.gateway.value.trim().replace(/\/+$/, '');
    }

    function buildUrl(format) {
        var params = new URLSearchParams();
        params.set('from', el.from.value);
        params.set('to', el.to.value);
        params.set('group_by', 'model,day,key');
        var tenant = el.tenantInput.value.trim();
        if (tenant !== '') params.set('tenant', tenant);
        if (format) params.set('format', format);
        // URLSearchParams encodes ',' as %2C; keep the list readable (both are valid).
        return gatewayBase() + '/v1/billing/usage?' + params.toString().replace(/%2C/g, ',');
    }

    function currentKey() {
        state.apiKey = el.apiKey.value.trim();
        return state.apiKey;
    }

    function validate() {
        if (gatewayBase() === '') return 'Enter the gateway URL (for example https://gateway.example.com).';
        if (!/^https?:\/\//i.test(gatewayBase())) return 'The gateway URL must start with http:// or https://.';
        if (!el.from.value || !el.to.value) return 'Choose both a From and a To date.';
        return null;
    }

    function request(format) {
        var headers = { 'Accept': format === 'csv' ? 'text/csv' : 'application/json' };
        var key = currentKey();
        if (key !== '') headers.Authorization = 'Bearer ' + key;
        return fetch(buildUrl(format), {
            method: 'GET',
            headers: headers,
            credentials: 'omit',
            cache: 'no-store',
            referrerPolicy: 'no-referrer'
        }).catch(function (err) {
            var e = new Error('Could not reach the gateway at ' + gatewayBase() +
                ' (' + (err && err.message ? err.message : 'network error') + ').');
            e.network = true;
            throw e;
        }).then(function (res) {
            if (res.ok) return res;
            return res.text().then(function (body) {
                var message = null;
                try {
                    var parsed = JSON.parse(body);
                    if (parsed && parsed.error && typeof parsed.error.message === 'string') {
                        message = parsed.error.message;
                    } else if (parsed && typeof parsed.message === 'string') {
                        message = parsed.message;
                    }
                } catch (ignored) { /* not JSON */ }
                if (!message) message = 'The gateway answered ' + res.status + (res.statusText ? ' ' + res.statusText : '') + '.';
                var e = new Error(message);
                e.status = res.status;
                throw e;
            });
        });
    }

    function rememberIfWanted() {
        if (el.remember.checked && state.apiKey !== '') storageSet(state.apiKey);
    }

    function setBusy(busy, button, label) {
        state.busy = busy;
        el.load.disabled = busy;
        el.csv.disabled = busy;
        el.load.textContent = busy && button === el.load ? 'Loading\u2026' : 'Load';
        el.csv.textContent = busy && button === el.csv ? 'Preparing\u2026' : 'Download CSV';
        el.controls.setAttribute('aria-busy', busy ? 'true' : 'false');
        el.status.textContent = busy ? label : '';
    }

    function showError(message) {
        el.error.textContent = message;
        el.error.hidden = false;
    }

    function clearError() {
        el.error.textContent = '';
        el.error.hidden = true;
    }

    function load() {
        if (state.busy) return;
        var problem = validate();
        if (problem) {
            hideResults();
            showError(problem);
            return;
        }
        clearError();
        setBusy(true, el.load, 'Loading usage\u2026');
        request(null)
            .then(function (res) { return res.json(); })
            .then(function (data) {
                if (!data || typeof data !== 'object') throw new Error('The gateway returned an unexpected response.');
                rememberIfWanted();
                state.data = data;
                render(data);
                setBusy(false);
                el.status.textContent = 'Usage loaded.';
            })
            .catch(function (err) {
                setBusy(false);
                hideResults();
                showError(err && err.message ? err.message : 'Loading usage failed.');
            });
    }

    function downloadCsv() {
        if (state.busy) return;
        var problem = validate();
        if (problem) {
            showError(problem);
            return;
        }
        clearError();
        var from = el.from.value;
        var to = el.to.value;
        setBusy(true, el.csv, 'Preparing CSV\u2026');
        request('csv')
            .then(function (res) { return res.blob(); })
            .then(function (blob) {
                rememberIfWanted();
                var url = URL.createObjectURL(blob);
                var a = document.createElement('a');
                a.href = url;
                a.download = 'usage-' + from + '-' + to + '.csv';
                a.className = 'visually-hidden';
                document.body.appendChild(a);
                a.click();
                a.remove();
                setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
                setBusy(false);
                el.status.textContent = 'CSV downloaded.';
            })
            .catch(function (err) {
                setBusy(false);
                showError(err && err.message ? err.message : 'Downloading the CSV failed.');
            });
    }

    // ---------------------------------------------------------------- DOM helpers

    function clear(node) {
        while (node.firstChild) node.removeChild(node.firstChild);
    }

    function svg(name, attrs, text) {
        var node = document.createElementNS(SVG_NS, name);
        if (attrs) {
            for (var k in attrs) {
                if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== undefined && attrs[k] !== null) {
                    node.setAttribute(k, String(attrs[k]));
                }
            }
        }
        if (text !== undefined && text !== null) node.textContent = String(text);
        return node;
    }

    function svgTitle(parent, text) {
        var t = svg('title', null, text);
        parent.appendChild(t);
        return t;
    }

    function cell(tag, text, className, value) {
        var c = document.createElement(tag);
        c.textContent = text;
        if (className) c.className = className;
        if (value !== undefined) c.setAttribute('data-value', value === null ? '' : String(value));
        return c;
    }

    function setValue(id, text, raw) {
        var node = $(id);
        node.textContent = text;
        node.setAttribute('data-value', raw === null || raw === undefined ? '' : String(raw));
    }

    // ---------------------------------------------------------------- rendering

    function hideResults() {
        el.results.hidden = true;
    }

    function render(data) {
        var summary = data.summary || {};
        var period = data.period || {};

        $('tenant').textContent = data.tenantId == null ? EN_DASH : String(data.tenantId);
        $('period').textContent = String(period.from || el.from.value) + ' ' + EN_DASH + ' ' + String(period.to || el.to.value);
        $('currency').textContent = data.currency ? String(data.currency) : 'USD';

        var total = num(summary.totalRequests);
        var failed = num(summary.failedRequests);
        var cancelled = num(summary.cancelledRequests);
        var rate = typeof summary.successRate === 'number' && isFinite(summary.successRate) ? summary.successRate : null;

        setValue('total-requests', formatInt(total), summary.totalRequests);
        $('total-requests-sub').textContent = plural(num(summary.successfulRequests), 'successful', 'successful');
        setValue('success-rate', formatRate(rate), rate);
        $('success-meter-fill').setAttribute('width', rate === null ? '0' : String(Math.max(0, Math.min(1, rate)) * 100));
        $('success-meter').setAttribute('aria-label', 'Success rate ' + formatRate(rate));
        setValue('input-tokens', formatInt(summary.totalInputTokens), summary.totalInputTokens);
        $('cached-tokens-sub').textContent = num(summary.totalCachedInputTokens) > 0
            ? formatInt(summary.totalCachedInputTokens) + ' cached' : '';
        setValue('output-tokens', formatInt(summary.totalOutputTokens), summary.totalOutputTokens);
        setValue('cost', formatCost(num(summary.estimatedCostUsd)), summary.estimatedCostUsd);
        $('cost-sub').textContent = num(summary.unpricedRequests) > 0
            ? plural(num(summary.unpricedRequests), 'request', 'requests') + ' unpriced' : '';
        setValue('failed-requests', formatInt(failed), summary.failedRequests);
        $('cancelled-sub').textContent = cancelled > 0 ? '+ ' + formatInt(cancelled) + ' cancelled' : '';

        renderUnpriced(summary, data.unpricedModels);
        renderModelsTable(Array.isArray(data.byModel) ? data.byModel : []);
        renderKeysTable(data.byKey);

        el.intro.hidden = true;
        el.results.hidden = false; // charts measure their width, so show first
        renderCharts();
    }

    function renderUnpriced(summary, models) {
        var n = num(summary.unpricedRequests);
        var note = $('unpriced');
        if (n <= 0) {
            note.textContent = '';
            note.hidden = true;
            return;
        }
        var text = plural(n, 'request', 'requests') + ' could not be priced';
        var names = Array.isArray(models) ? models.filter(function (m) { return m !== null && m !== undefined; }).map(String) : [];
        if (names.length > 0) text += ' (no price for: ' + names.join(', ') + ')';
        note.textContent = text;
        note.hidden = false;
    }

    function renderCharts() {
        var data = state.data;
        if (!data || el.results.hidden) return;
        var byDate = Array.isArray(data.byDate) ? data.byDate : [];
        renderRequestsChart($('chart-requests'), byDate);
        renderTokensChart($('chart-tokens'), byDate);
        renderCostChart($('chart-cost'), Array.isArray(data.byModel) ? data.byModel : []);
    }

    function renderModelsTable(rows) {
        var tbody = $('models-table').tBodies[0];
        clear(tbody);
        if (rows.length === 0) {
            var tr = document.createElement('tr');
            var td = cell('td', 'No usage in this period.', 'empty-row');
            td.colSpan = 6;
            tr.appendChild(td);
            tbody.appendChild(tr);
            return;
        }
        rows.forEach(function (m) {
            var model = m.model == null ? '' : String(m.model);
            var requests = num(m.requests);
            var rate = requests > 0 ? num(m.successfulRequests) / requests : null;
            var tr = document.createElement('tr');
            tr.setAttribute('data-model', model);
            var name = cell('th', model, 'model-name');
            name.setAttribute('scope', 'row');
            tr.appendChild(name);
            tr.appendChild(cell('td', formatInt(requests), 'num', m.requests));
            tr.appendChild(cell('td', formatRate(rate), 'num', rate));
            tr.appendChild(cell('td', formatInt(m.inputTokens), 'num', m.inputTokens));
            tr.appendChild(cell('td', formatInt(m.outputTokens), 'num', m.outputTokens));
            var costCell = cell('td', formatCost(num(m.estimatedCostUsd)), 'num', m.estimatedCostUsd);
            if (num(m.unpricedRequests) > 0) {
                var flag = document.createElement('span');
                flag.className = 'flag';
                flag.textContent = 'unpriced';
                flag.title = plural(num(m.unpricedRequests), 'request', 'requests') + ' without a price';
                costCell.appendChild(document.createTextNode(' '));
                costCell.appendChild(flag);
            }
            tr.appendChild(costCell);
            tbody.appendChild(tr);
        });
    }

    function renderKeysTable(rows) {
        var section = $('keys-section');
        var tbody = $('keys-table').tBodies[0];
        clear(tbody);
        if (!Array.isArray(rows)) {
            section.hidden = true;
            return;
        }
        section.hidden = false;
        if (rows.length === 0) {
            var tr = document.createElement('tr');
            var td = cell('td', 'No usage in this period.', 'empty-row');
            td.colSpan = 4;
            tr.appendChild(td);
            tbody.appendChild(tr);
            return;
        }
        rows.forEach(function (k) {
            var keyId = k.keyId == null ? '' : String(k.keyId);
            var tr = document.createElement('tr');
            tr.setAttribute('data-key-id', keyId);
            var label = cell('th', k.label == null || k.label === '' ? EN_DASH : String(k.label), 'key-label');
            label.setAttribute('scope', 'row');
            tr.appendChild(label);
            tr.appendChild(cell('td', keyId, 'mono'));
            tr.appendChild(cell('td', formatInt(k.requests), 'num', k.requests));
            tr.appendChild(cell('td', formatCost(num(k.estimatedCostUsd)), 'num', k.estimatedCostUsd));
            tbody.appendChild(tr);
        });
    }

    // ---------------------------------------------------------------- charts

    function niceMax(value) {
        if (value <= 0) return 1;
        if (value <= 10) return Math.ceil(value);
        var exp = Math.pow(10, Math.floor(Math.log10(value)));
        var f = value / exp;
        var steps = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
        for (var i = 0; i < steps.length; i++) {
            if (f <= steps[i] + 1e-9) return Math.round(steps[i] * exp);
        }
        return 10 * exp;
    }

    function chartWidth(svgEl) {
        var w = Math.round(svgEl.getBoundingClientRect().width);
        return w > 0 ? Math.max(w, 260) : 640;
    }

    function startChart(svgEl, height) {
        clear(svgEl);
        var width = chartWidth(svgEl);
        svgEl.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
        svgEl.setAttribute('width', '100%');
        svgEl.setAttribute('preserveAspectRatio', 'xMidYMid meet');
        return width;
    }

    function emptyChart(svgEl, message) {
        var width = startChart(svgEl, 120);
        svgEl.appendChild(svg('text', { x: width / 2, y: 64, 'text-anchor': 'middle', 'class': 'empty' }, message));
        svgEl.setAttribute('data-empty', 'true');
    }

    // Shared frame for the two per-day charts: y gridlines, max label, sparse x labels.
    function dayFrame(svgEl, days, maxValue, formatTick) {
        var height = 220;
        var width = startChart(svgEl, height);
        svgEl.removeAttribute('data-empty');
        var yMax = niceMax(maxValue);
        var maxLabel = formatTick(yMax);
        var m = { top: 12, right: 8, bottom: 26, left: Math.max(28, 8 + maxLabel.length * 7) };
        var plotW = width - m.left - m.right;
        var plotH = height - m.top - m.bottom;
        var axis = svg('g', { 'class': 'axis' });
        [0, 0.5, 1].forEach(function (f) {
            var y = m.top + plotH - f * plotH;
            axis.appendChild(svg('line', { x1: m.left, x2: width - m.right, y1: y, y2: y, 'class': f === 0 ? 'baseline' : 'grid' }));
        });
        axis.appendChild(svg('text', { x: m.left - 6, y: m.top + 4, 'text-anchor': 'end', 'class': 'tick y-max' }, maxLabel));
        axis.appendChild(svg('text', { x: m.left - 6, y: m.top + plotH + 4, 'text-anchor': 'end', 'class': 'tick' }, '0'));

        var n = days.length;
        var band = plotW / n;
        // Sparse x labels: about 64px per label ("Nov 30" at 11px), first label always shown.
        var step = Math.max(1, Math.ceil(64 / band));
        var labels = svg('g', { 'class': 'x-labels' });
        for (var i = 0; i < n; i += step) {
            var cx = m.left + band * (i + 0.5);
            var anchor = 'middle';
            if (cx - 28 < 0) anchor = 'start';
            if (cx + 28 > width) anchor = 'end';
            var lx = anchor === 'start' ? m.left : anchor === 'end' ? width - m.right : cx;
            labels.appendChild(svg('text', { x: lx, y: height - 8, 'text-anchor': anchor, 'class': 'tick x-label', 'data-date': days[i].date }, shortDay(days[i].date)));
        }
        axis.appendChild(labels);
        svgEl.appendChild(axis);
        return {
            band: band,
            x: function (index) { return m.left + band * index; },
            y: function (value) { return m.top + plotH - (value / yMax) * plotH; },
            h: function (value) { return (value / yMax) * plotH; },
            yMax: yMax
        };
    }

    function bar(cls, x, y, w, h, date, count, title) {
        var r = svg('rect', {
            'class': cls,
            x: x.toFixed(2), y: y.toFixed(2), width: Math.max(0, w).toFixed(2), height: Math.max(0, h).toFixed(2),
            'data-date': date, 'data-count': count
        });
        svgTitle(r, title);
        return r;
    }

    function renderRequestsChart(svgEl, byDate) {
        var max = 0;
        byDate.forEach(function (d) {
            max = Math.max(max, num(d.successfulRequests) + num(d.failedRequests) + num(d.cancelledRequests));
        });
        if (byDate.length === 0 || max === 0) {
            emptyChart(svgEl, 'No requests in this period.');
            svgEl.setAttribute('aria-label', 'Requests per day: no requests in this period');
            return;
        }
        var f = dayFrame(svgEl, byDate, max, formatCompact);
        var bars = svg('g', { 'class': 'bars' });
        var gap = f.band > 6 ? Math.min(f.band * 0.25, 8) : f.band > 3 ? 1 : 0;
        byDate.forEach(function (d, i) {
            var date = d.date == null ? '' : String(d.date);
            var ok = num(d.successfulRequests);
            var failed = num(d.failedRequests);
            var cancelled = num(d.cancelledRequests);
            var bad = failed + cancelled;
            var x = f.x(i) + gap / 2;
            var w = f.band - gap;
            var hOk = f.h(ok);
            var hBad = f.h(bad);
            var base = f.y(0);
            bars.appendChild(bar('bar-ok', x, base - hOk, w, hOk, date, ok,
                date + ': ' + formatInt(ok) + ' successful'));
            var badTitle = date + ': ' + formatInt(failed) + ' failed' + (cancelled > 0 ? ', ' + formatInt(cancelled) + ' cancelled' : '');
            bars.appendChild(bar('bar-failed', x, base - hOk - hBad, w, hBad, date, bad, badTitle));
        });
        svgEl.appendChild(bars);
        var total = 0;
        byDate.forEach(function (d) { total += num(d.requests); });
        svgEl.setAttribute('aria-label', 'Requests per day, ' + byDate.length + ' days, ' + formatInt(total) + ' requests in total');
    }

    function renderTokensChart(svgEl, byDate) {
        var max = 0;
        byDate.forEach(function (d) {
            max = Math.max(max, num(d.inputTokens), num(d.outputTokens));
        });
        if (byDate.length === 0 || max === 0) {
            emptyChart(svgEl, 'No tokens in this period.');
            svgEl.setAttribute('aria-label', 'Tokens per day: no tokens in this period');
            return;
        }
        var f = dayFrame(svgEl, byDate, max, formatCompact);
        var bars = svg('g', { 'class': 'bars' });
        var gap = f.band > 6 ? Math.min(f.band * 0.2, 8) : 0;
        byDate.forEach(function (d, i) {
            var date = d.date == null ? '' : String(d.date);
            var input = num(d.inputTokens);
            var output = num(d.outputTokens);
            var cached = num(d.cachedInputTokens);
            var w = (f.band - gap) / 2;
            var x = f.x(i) + gap / 2;
            var base = f.y(0);
            bars.appendChild(bar('bar-input', x, base - f.h(input), w, f.h(input), date, input,
                date + ': ' + formatInt(input) + ' input tokens' + (cached > 0 ? ' (' + formatInt(cached) + ' cached)' : '')));
            bars.appendChild(bar('bar-output', x + w, base - f.h(output), w, f.h(output), date, output,
                date + ': ' + formatInt(output) + ' output tokens'));
        });
        svgEl.appendChild(bars);
        svgEl.setAttribute('aria-label', 'Input and output tokens per day, ' + byDate.length + ' days');
    }

    function renderCostChart(svgEl, byModel) {
        if (byModel.length === 0) {
            emptyChart(svgEl, 'No usage in this period.');
            svgEl.setAttribute('aria-label', 'Cost by model: no usage in this period');
            return;
        }
        var rowH = 40;
        var top = 4;
        var height = top + byModel.length * rowH + 4;
        var width = startChart(svgEl, height);
        svgEl.removeAttribute('data-empty');
        var max = 0;
        byModel.forEach(function (m) { max = Math.max(max, num(m.estimatedCostUsd)); });
        var costLabelW = byModel.some(function (m) { return num(m.unpricedRequests) > 0; }) ? 150 : 96;
        var barMax = Math.max(40, width - costLabelW - 8);
        byModel.forEach(function (m, i) {
            var model = m.model == null ? '' : String(m.model);
            var cost = num(m.estimatedCostUsd);
            var y = top + i * rowH;
            var g = svg('g', { 'class': 'model-bar', 'data-model': model, 'data-cost': m.estimatedCostUsd });
            var costText = formatCost(cost);
            var unpriced = num(m.unpricedRequests);
            svgTitle(g, model + ': ' + costText + ' (' + plural(num(m.requests), 'request', 'requests') +
                (unpriced > 0 ? ', ' + formatInt(unpriced) + ' unpriced' : '') + ')');
            g.appendChild(svg('text', { x: 0, y: y + 13, 'class': 'model-label' }, model));
            var w = max > 0 ? (cost / max) * barMax : 0;
            g.appendChild(svg('rect', { x: 0, y: y + 19, width: barMax.toFixed(2), height: 14, rx: 2, 'class': 'bar-track' }));
            g.appendChild(svg('rect', {
                x: 0, y: y + 19, width: Math.max(cost > 0 ? 2 : 0, w).toFixed(2), height: 14, rx: 2,
                'class': 'bar-cost', 'data-model': model, 'data-cost': m.estimatedCostUsd
            }));
            g.appendChild(svg('text', { x: barMax + 8, y: y + 30, 'class': 'cost-label' },
                costText + (unpriced > 0 ? ' \u00b7 ' + formatInt(unpriced) + ' unpriced' : '')));
            svgEl.appendChild(g);
        });
        svgEl.setAttribute('aria-label', 'Estimated cost by model, ' + byModel.length + ' models');
    }

    // ---------------------------------------------------------------- wiring

    function init() {
        el.controls = $('controls');
        el.gateway = $('gateway');
        el.apiKey = $('api-key');
        el.remember = $('remember-key');
        el.forget = $('forget-key');
        el.from = $('from');
        el.to = $('to');
        el.tenantInput = $('tenant-input');
        el.load = $('load');
        el.csv = $('download-csv');
        el.status = $('status');
        el.error = $('error');
        el.intro = $('intro');
        el.results = $('results');

        if (location.protocol === 'http:' || location.protocol === 'https:') {
            el.gateway.value = location.origin;
        }

        var remembered = storageGet();
        if (remembered) {
            el.apiKey.value = remembered;
            state.apiKey = remembered;
            el.remember.checked = true;
        }

        setRange(30);

        el.controls.addEventListener('submit', function (event) {
            event.preventDefault();
            load();
        });
        el.csv.addEventListener('click', downloadCsv);

        el.remember.addEventListener('change', function () {
            if (el.remember.checked) {
                if (currentKey() !== '') storageSet(state.apiKey);
            } else {
                storageRemove();
            }
        });
        el.apiKey.addEventListener('input', function () {
            state.apiKey = el.apiKey.value.trim();
            if (el.remember.checked) {
                if (state.apiKey !== '') storageSet(state.apiKey); else storageRemove();
            }
        });
        el.forget.addEventListener('click', function () {
            storageRemove();
            el.remember.checked = false;
            el.apiKey.value = '';
            state.apiKey = '';
            el.status.textContent = 'Key forgotten on this device.';
            el.apiKey.focus();
        });

        var buttons = document.querySelectorAll('.range-button');
        for (var i = 0; i < buttons.length; i++) {
            buttons[i].addEventListener('click', function (event) {
                setRange(parseInt(event.currentTarget.getAttribute('data-days'), 10));
            });
        }
        el.from.addEventListener('change', markRangeButtons);
        el.to.addEventListener('change', markRangeButtons);

        var resizeTimer = null;
        var lastWidth = window.innerWidth;
        window.addEventListener('resize', function () {
            if (window.innerWidth === lastWidth) return;
            lastWidth = window.innerWidth;
            clearTimeout(resizeTimer);
            resizeTimer = setTimeout(renderCharts, 120);
        });
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', init);
    } else {
        init();
    }
}());
