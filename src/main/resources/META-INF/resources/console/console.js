// Hasp console: polls GET /v1/overview with the operator's token and draws what it answers.
// Rules kept here: the token lives only in sessionStorage and the Authorization header (never in a URL, never in the
// page); every value from the server reaches the DOM through textContent or an attribute, never as HTML.
'use strict';

(function () {
    const TOKEN_KEY = 'hasp.console.token';
    const REFRESH_MS = 2000;
    const COUNTDOWN_MS = 250;

    const state = {
        timer: null,
        scopes: [],
        clockOffsetMs: 0,        // server time minus this browser's time, from the overview's generatedAt
        openQueues: new Map(),   // queue id -> ETag of the details last shown
        pollFailed: false,       // the message box shows a failed refresh, to clear at the next good one
    };

    const $ = (id) => document.getElementById(id);

    // ------------------------------------------------------------------------------------------------ token

    function takeTokenFromFragment() {
        if (!location.hash) {
            return;
        }
        const params = new URLSearchParams(location.hash.slice(1));
        const token = params.get('token');
        if (token) {
            sessionStorage.setItem(TOKEN_KEY, token);
        }
        // The fragment never reaches the server, but it would stay in the address bar and the history: drop it.
        history.replaceState(null, '', location.pathname + location.search);
    }

    function token() {
        return sessionStorage.getItem(TOKEN_KEY);
    }

    function signOut(message, kind) {
        sessionStorage.removeItem(TOKEN_KEY);
        stopPolling();
        state.scopes = [];
        state.pollFailed = false;
        state.openQueues.clear();
        $('dashboard').hidden = true;
        $('sign-out').hidden = true;
        $('caller').textContent = '';
        $('sign-in').hidden = false;
        if (message) {
            show(message, kind);
        } else {
            hideMessage();
        }
    }

    // ------------------------------------------------------------------------------------------------ messages

    function show(text, kind) {
        const box = $('message');
        box.textContent = text;
        box.className = kind || '';
        box.hidden = false;
    }

    function hideMessage() {
        $('message').hidden = true;
        $('message').textContent = '';
    }

    /** The message for an answer that is not a success, from its status and problem+json body. */
    async function problemText(response, what) {
        let detail = '';
        try {
            const body = await response.json();
            detail = body && typeof body.detail === 'string' ? body.detail : '';
        } catch (e) {
            detail = '';
        }
        if (response.status === 401) {
            return 'The token was refused (401 Unauthorized): it is unknown, expired or revoked. '
                + 'Sign in with a valid token.';
        }
        if (response.status === 403) {
            return 'This token may not ' + what + ' (403 Forbidden): ' + (detail || 'it lacks the scope needed')
                + '. Sign in with a token that has it.';
        }
        return 'Could not ' + what + ' (HTTP ' + response.status + (detail ? ': ' + detail : '') + ').';
    }

    // ------------------------------------------------------------------------------------------------ API

    function api(method, path, options) {
        const headers = {'Authorization': 'Bearer ' + token(), 'Accept': 'application/json'};
        const init = {method: method, headers: headers, cache: 'no-store', credentials: 'omit'};
        if (options && options.body !== undefined) {
            headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(options.body);
        }
        if (options && options.ifMatch) {
            headers['If-Match'] = options.ifMatch;
        }
        return fetch(path, init);
    }

    function isAdmin() {
        return state.scopes.indexOf('admin') >= 0;
    }

    // ------------------------------------------------------------------------------------------------ polling

    function startPolling() {
        stopPolling();
        $('sign-in').hidden = true;
        $('sign-out').hidden = false;
        refresh();
    }

    function stopPolling() {
        if (state.timer !== null) {
            clearTimeout(state.timer);
            state.timer = null;
        }
    }

    function schedule() {
        stopPolling();
        state.timer = setTimeout(refresh, REFRESH_MS);
    }

    async function refresh() {
        if (!token()) {
            signOut();
            return;
        }
        let response;
        try {
            response = await api('GET', '/v1/overview');
        } catch (e) {
            show('Hasp cannot be reached; trying again in ' + (REFRESH_MS / 1000) + ' s.', 'error');
            state.pollFailed = true;
            schedule();
            return;
        }
        if (response.status === 401 || response.status === 403) {
            signOut(await problemText(response, 'read the overview'), 'error');
            return;
        }
        if (!response.ok) {
            show(await problemText(response, 'read the overview'), 'error');
            state.pollFailed = true;
            schedule();
            return;
        }
        const overview = await response.json();
        if (state.pollFailed) {
            state.pollFailed = false;
            hideMessage();
        }
        render(overview);
        await refreshOpenQueues();
        schedule();
    }

    // ------------------------------------------------------------------------------------------------ drawing

    function el(tag, text, className) {
        const node = document.createElement(tag);
        if (text !== undefined && text !== null) {
            node.textContent = String(text);
        }
        if (className) {
            node.className = className;
        }
        return node;
    }

    function cell(row, text, className) {
        const td = el('td', text, className);
        row.appendChild(td);
        return td;
    }

    function button(label, className, onClick) {
        const b = el('button', label, className);
        b.type = 'button';
        b.addEventListener('click', onClick);
        return b;
    }

    function formatDuration(ms) {
        const s = Math.floor(ms / 1000);
        if (s < 60) {
            return (ms / 1000).toFixed(1) + ' s';
        }
        if (s < 3600) {
            return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
        }
        if (s < 86400) {
            return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
        }
        return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
    }

    function formatTime(iso) {
        return iso ? new Date(iso).toLocaleString() : '';
    }

    function render(o) {
        state.clockOffsetMs = Date.parse(o.generatedAt) - Date.now();
        state.scopes = o.scopes || [];
        $('dashboard').hidden = false;
        $('caller').textContent = 'token scopes: ' + state.scopes.join(', ');
        document.querySelectorAll('.admin-only').forEach((node) => {
            node.hidden = !isAdmin();
        });
        renderReadiness(o.readiness);
        renderLocks(o.locks);
        renderQueues(o.queues);
        renderGroups(o.groups);
        renderSweeper(o.sweeper);
        $('refreshed').textContent = new Date().toLocaleTimeString();
        countDown();
    }

    function renderReadiness(r) {
        const badge = $('readiness');
        const down = r.checks.filter((c) => c.status !== 'UP')
            .map((c) => c.name + (c.reason ? ' (' + c.reason + ')' : ''));
        badge.textContent = 'readiness ' + r.status + (down.length ? ': ' + down.join(', ') : '');
        badge.className = 'badge ' + (r.status === 'UP' ? 'up' : 'down');
    }

    function renderLocks(locks) {
        const body = $('locks-table').querySelector('tbody');
        body.replaceChildren();
        $('locks-empty').hidden = locks.length > 0;
        for (const lock of locks) {
            lock.holders.forEach((h, i) => {
                const row = el('tr');
                row.dataset.lock = lock.name;
                cell(row, i === 0 ? lock.name : '', 'lock-name');
                cell(row, h.type, 'lock-type');
                cell(row, h.hostname, 'lock-host');
                cell(row, h.pid, 'lock-pid num');
                cell(row, formatTime(h.acquiredAt), 'lock-since');
                const lease = cell(row, '', 'lock-lease num');
                if (h.expiresAt) {
                    lease.dataset.expiresAt = h.expiresAt;
                } else {
                    lease.textContent = 'no lease';
                }
                cell(row, h.fencingToken === null || h.fencingToken === undefined ? '' : h.fencingToken,
                    'lock-fence num');
                if (isAdmin()) {
                    const action = cell(row, '');
                    if (i === 0) {
                        action.appendChild(button('Force release', 'force-release', () => forceRelease(lock.name)));
                    }
                }
                body.appendChild(row);
            });
        }
    }

    function countDown() {
        const now = Date.now() + state.clockOffsetMs;
        document.querySelectorAll('[data-expires-at]').forEach((node) => {
            const left = Date.parse(node.dataset.expiresAt) - now;
            node.textContent = left > 0 ? formatDuration(left) : 'expired';
            node.classList.toggle('expired', left <= 0);
        });
    }

    function renderQueues(queues) {
        const body = $('queues-table').querySelector('tbody');
        body.replaceChildren();
        $('queues-empty').hidden = queues.length > 0;
        const known = new Set();
        for (const q of queues) {
            known.add(q.id);
            const row = el('tr');
            row.dataset.queue = q.id;
            cell(row, q.id, 'queue-id');
            cell(row, q.name, 'queue-name');
            cell(row, q.pending, 'queue-pending num');
            cell(row, q.running, 'queue-running num');
            cell(row, q.completed, 'queue-completed num');
            cell(row, q.failed, 'queue-failed num');
            cell(row, q.total, 'queue-total num');
            cell(row, q.oldestPendingAgeMs === undefined ? '—' : formatDuration(q.oldestPendingAgeMs),
                'queue-oldest num');
            const open = state.openQueues.has(q.id);
            cell(row, '').appendChild(button(open ? 'Hide' : 'Show', 'queue-toggle', () => toggleQueue(q.id)));
            body.appendChild(row);
        }
        for (const id of Array.from(state.openQueues.keys())) {
            if (!known.has(id)) {
                state.openQueues.delete(id);
                removeDetails(id);
            }
        }
    }

    function renderGroups(groups) {
        const list = $('groups-list');
        list.replaceChildren();
        $('groups-empty').hidden = groups.length > 0;
        for (const g of groups) {
            const box = el('div', null, 'group');
            box.dataset.group = g.id;
            box.appendChild(el('h3', g.name + ' (' + g.id + ') — ' + g.sessionCount + ' session(s)'));
            if (g.sessions.length > 0) {
                const table = el('table');
                const head = el('tr');
                ['Session', 'Status', 'Updated'].forEach((t) => head.appendChild(el('th', t)));
                table.appendChild(head);
                for (const s of g.sessions) {
                    const row = el('tr');
                    cell(row, s.sessionId, 'session-id');
                    cell(row, s.status, 'session-status');
                    cell(row, formatTime(s.updatedAt));
                    table.appendChild(row);
                }
                box.appendChild(table);
                if (g.sessionCount > g.sessions.length) {
                    box.appendChild(el('p', 'Showing the ' + g.sessions.length + ' most recently updated.', 'muted'));
                }
            }
            list.appendChild(box);
        }
    }

    function renderSweeper(run) {
        const removed = $('sweeper-removed');
        removed.replaceChildren();
        if (!run) {
            $('sweeper-summary').textContent = 'No run finished yet on this replica.';
            return;
        }
        $('sweeper-summary').textContent = 'Last run finished ' + formatTime(run.finishedAt) + ' ('
            + formatDuration(Math.max(0, Date.now() + state.clockOffsetMs - Date.parse(run.finishedAt)))
            + ' ago); ' + run.lockFilesScanned + ' lock file(s) scanned.';
        const rows = [
            ['Stale lock files removed', run.staleLocksRemoved],
            ['Stale shared holders removed', run.staleHoldersRemoved],
            ['of which expired leases', run.expiredLeasesRemoved],
            ['Orphaned temp files removed', run.tempFilesRemoved],
            ['Expired queue claims released', run.claimsReleased],
            ['Lock files skipped (busy)', run.busySkipped],
            ['Named-lock holders counted', run.namedHolders],
        ];
        for (const [label, value] of rows) {
            removed.appendChild(el('dt', label));
            removed.appendChild(el('dd', value));
        }
    }

    // ------------------------------------------------------------------------------------------------ queues

    function detailsId(queueId) {
        return 'queue-details-' + queueId;
    }

    function removeDetails(queueId) {
        const box = $(detailsId(queueId));
        if (box) {
            box.remove();
        }
    }

    function toggleQueue(queueId) {
        if (state.openQueues.has(queueId)) {
            state.openQueues.delete(queueId);
            removeDetails(queueId);
            refresh();
            return;
        }
        state.openQueues.set(queueId, null);
        refresh();
    }

    async function refreshOpenQueues() {
        for (const queueId of Array.from(state.openQueues.keys())) {
            let response;
            try {
                response = await api('GET', '/v1/queues/' + encodeURIComponent(queueId));
            } catch (e) {
                return;
            }
            if (response.status === 404) {
                state.openQueues.delete(queueId);
                removeDetails(queueId);
                continue;
            }
            if (!response.ok) {
                show(await problemText(response, 'read queue ' + queueId), 'error');
                continue;
            }
            state.openQueues.set(queueId, response.headers.get('ETag'));
            renderQueueDetails(await response.json());
        }
    }

    function renderQueueDetails(queue) {
        let box = $(detailsId(queue.id));
        if (!box) {
            box = el('div', null, 'details');
            box.id = detailsId(queue.id);
            $('queue-details').appendChild(box);
        }
        box.replaceChildren();
        box.appendChild(el('h3', 'Commands of ' + queue.name + ' (' + queue.id + ')'));
        if (queue.commands.length === 0) {
            box.appendChild(el('p', 'No command.', 'muted'));
            return;
        }
        const table = el('table');
        const head = el('tr');
        const labels = ['#', 'Id', 'Command', 'Status', 'Claimed by', 'Claim ends in', 'Updated'];
        if (isAdmin()) {
            labels.push('Action');
        }
        labels.forEach((t) => head.appendChild(el('th', t)));
        table.appendChild(head);
        queue.commands.forEach((c, i) => {
            const row = el('tr');
            row.dataset.command = c.id;
            cell(row, i, 'num');
            cell(row, c.id, 'command-id');
            cell(row, c.command, 'command-text');
            cell(row, c.status, 'command-status');
            cell(row, c.claimedBy || '', 'command-claimed-by');
            const claim = cell(row, '', 'num');
            if (c.claimExpiresAt) {
                claim.dataset.expiresAt = c.claimExpiresAt;
            }
            cell(row, formatTime(c.updatedAt));
            if (isAdmin()) {
                const action = cell(row, '');
                if (c.status !== 'pending') {
                    action.appendChild(button('Requeue', 'requeue', () => requeue(queue.id, c)));
                }
            }
            table.appendChild(row);
        });
        box.appendChild(table);
        countDown();
    }

    // ------------------------------------------------------------------------------------------------ admin

    async function forceRelease(name) {
        if (!window.confirm('Force release lock "' + name + '"? Every holder loses it at once; '
            + 'a holder that has not noticed is stopped only by fencing tokens.')) {
            return;
        }
        let response;
        try {
            response = await api('DELETE', '/v1/locks/' + encodeURIComponent(name));
        } catch (e) {
            show('Hasp cannot be reached: lock "' + name + '" was not released.', 'error');
            return;
        }
        if (response.status === 204) {
            show('Lock "' + name + '" was force-released.', 'ok');
        } else if (response.status === 404) {
            show('Lock "' + name + '" was no longer held.', 'ok');
        } else {
            show(await problemText(response, 'force-release lock "' + name + '"'), 'error');
        }
        refresh();
    }

    async function requeue(queueId, command) {
        if (!window.confirm('Requeue command "' + command.id + '" of queue "' + queueId + '"? It goes back to '
            + 'pending and loses its claim; a runner still working on it can no longer complete it as its own.')) {
            return;
        }
        let response;
        try {
            response = await api('PATCH', '/v1/queues/' + encodeURIComponent(queueId) + '/commands/'
                + encodeURIComponent(command.id), {body: {status: 'pending'}, ifMatch: state.openQueues.get(queueId)});
        } catch (e) {
            show('Hasp cannot be reached: command "' + command.id + '" was not requeued.', 'error');
            return;
        }
        if (response.ok) {
            show('Command "' + command.id + '" of queue "' + queueId + '" is pending again.', 'ok');
        } else if (response.status === 412) {
            show('Queue "' + queueId + '" changed since it was shown; nothing was requeued. Look again and retry.',
                'error');
        } else {
            show(await problemText(response, 'requeue command "' + command.id + '"'), 'error');
        }
        refresh();
    }

    // ------------------------------------------------------------------------------------------------ start

    document.addEventListener('DOMContentLoaded', () => {
        takeTokenFromFragment();
        $('sign-in-form').addEventListener('submit', (event) => {
            event.preventDefault();
            const input = $('token-input');
            const value = input.value.trim();
            input.value = '';
            if (value) {
                sessionStorage.setItem(TOKEN_KEY, value);
                hideMessage();
                startPolling();
            }
        });
        $('sign-out').addEventListener('click', () => signOut('Signed out.', 'ok'));
        window.addEventListener('hashchange', () => {
            takeTokenFromFragment();
            if (token()) {
                startPolling();
            }
        });
        setInterval(countDown, COUNTDOWN_MS);
        if (token()) {
            startPolling();
        } else {
            signOut();
        }
    });
}());
