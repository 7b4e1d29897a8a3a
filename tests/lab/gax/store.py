"""The Configuration Server behind GAX: objects in SQLite, its rules, and a record of every write.

Writes are serialised (one lock, one SQLite transaction each), as Configuration Server
serialises its database updates, so two clients can never both create the same DN number.
"""

import datetime
import json
import sqlite3
import threading

import yaml

from gax.schema import (ANNEX_DELETED, NUMBER_SHARED_TYPES, SCHEMAS, GaxError, defaults, merge_annex, stringify)

DDL = """
CREATE TABLE IF NOT EXISTS objects (type TEXT NOT NULL, dbid INTEGER NOT NULL, body TEXT NOT NULL,
                                    PRIMARY KEY (type, dbid));
CREATE TABLE IF NOT EXISTS sequences (type TEXT PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL,
                                    action TEXT NOT NULL, entry TEXT NOT NULL);
-- The database refuses duplicates even if a rule check below were wrong.
CREATE UNIQUE INDEX IF NOT EXISTS dn_number ON objects (json_extract(body, '$.switchdbid'),
    json_extract(body, '$.number')) WHERE type = 'CfgDN'
    AND json_extract(body, '$.subtype') NOT IN ('CFGAccessResource', 'CFGDestinationLabel');
CREATE UNIQUE INDEX IF NOT EXISTS dn_name ON objects (json_extract(body, '$.tenantdbid'),
    json_extract(body, '$.name')) WHERE type = 'CfgDN' AND json_extract(body, '$.name') <> '';
CREATE UNIQUE INDEX IF NOT EXISTS login_code ON objects (json_extract(body, '$.switchdbid'),
    json_extract(body, '$.logincode')) WHERE type = 'CfgAgentLogin';
-- Lookups by a unique key (Store._same_key): a create or update checks its rules against the few
-- objects that share the key, not against every object of its type.
CREATE INDEX IF NOT EXISTS by_number ON objects (type, json_extract(body, '$.number'));
CREATE INDEX IF NOT EXISTS by_name ON objects (type, json_extract(body, '$.name'));
CREATE INDEX IF NOT EXISTS by_logincode ON objects (type, json_extract(body, '$.logincode'));
"""

# Uniqueness rules (PSDK doc text): type -> [(label, scope field, key field)].
UNIQUE = {
    'CfgDN': [('DN number', 'switchdbid', 'number'), ('DN name', 'tenantdbid', 'name')],
    'CfgAgentLogin': [('login code', 'switchdbid', 'logincode')],
}
KEYED = ('number', 'name', 'logincode')  # the unique keys with an index of their own (DDL by_*)
# Folder `subtype` that holds each writable type (assumed spelling, see the seed).
FOLDER_SUBTYPE = {'CfgDN': 'CFGDN', 'CfgAgentLogin': 'CFGAgentLogin'}
SEED_ORDER = ('CfgTenant', 'CfgFolder', 'CfgPhysicalSwitch', 'CfgSwitch', 'CfgDN', 'CfgAgentLogin')


def load_seed(path, switch_names=()):
    """Read a seed file; keep only the named switches (and what hangs off them) when given."""
    with open(path, encoding='utf-8') as handle:
        seed = yaml.safe_load(handle) or {}
    objects = {cfg_type: [stringify(o) for o in seed.get('objects', {}).get(cfg_type) or ()]
               for cfg_type in SEED_ORDER}
    if switch_names:
        kept = {s['dbid'] for s in objects['CfgSwitch'] if s['name'] in switch_names}
        objects['CfgSwitch'] = [s for s in objects['CfgSwitch'] if s['dbid'] in kept]
        objects['CfgFolder'] = [f for f in objects['CfgFolder']
                                if f.get('ownertype') != 'CFGSwitch' or f.get('ownerdbid') in kept]
        for cfg_type in ('CfgDN', 'CfgAgentLogin'):
            objects[cfg_type] = [o for o in objects[cfg_type] if o['switchdbid'] in kept]
    users = {str(u['username']): str(u['password']) for u in seed.get('users') or ()}
    return users, objects


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds')


class Store:
    """One Configuration Server database; every method is safe to call from any thread."""

    def __init__(self, db_path, seed_objects):
        self.seed_objects = seed_objects
        self.lock = threading.RLock()
        self.db = sqlite3.connect(db_path, check_same_thread=False)
        # No fsync per write: the lab's database need not outlive a power cut, and a disk shared with
        # other work would otherwise set the pace of every write (readers open it as before).
        self.db.execute('PRAGMA synchronous = OFF')
        with self.lock, self.db:
            self.db.executescript(DDL)
        if self._meta('seeded') is None:
            self.reset()

    def close(self):
        with self.lock:
            self.db.close()

    # ----- reads
    def list(self, cfg_type):
        with self.lock:
            rows = self.db.execute('SELECT body FROM objects WHERE type = ? ORDER BY dbid', (cfg_type,))
            return [json.loads(body) for body, in rows]

    def get(self, cfg_type, dbid):
        if not str(dbid).isdigit():
            return None
        with self.lock:
            row = self.db.execute('SELECT body FROM objects WHERE type = ? AND dbid = ?',
                                  (cfg_type, int(dbid))).fetchone()
        return json.loads(row[0]) if row else None

    def existing(self, cfg_type, dbid):
        """The stored object, or a 404."""
        current = self.get(cfg_type, dbid)
        if current is None:
            raise GaxError(404, 'CFGObjectNotFound', '%s with DBID %s does not exist' % (cfg_type, dbid))
        return current

    def history(self, since=0, cfg_type=None, action=None):
        """Every write after ``since``, oldest first, with the objects before and after it."""
        with self.lock:
            rows = self.db.execute('SELECT seq, entry FROM history WHERE seq > ? AND type = coalesce(?, type)'
                                   ' AND action = coalesce(?, action) ORDER BY seq', (since, cfg_type, action))
            return [dict(json.loads(entry), seq=seq) for seq, entry in rows]

    def duplicates(self):
        """Every value a uniqueness rule covers that more than one object holds (always empty)."""
        found = []
        for cfg_type, rules in UNIQUE.items():
            objects = self.list(cfg_type)
            for label, scope, key in rules:
                groups = {}
                for obj in objects:
                    if self._rule_applies(obj, key):
                        groups.setdefault((obj.get(scope), obj[key]), []).append(obj['dbid'])
                found += [{'rule': label, scope: s, key: k, 'dbids': d}
                          for (s, k), d in groups.items() if len(d) > 1]
        return found

    # ----- writes
    def reset(self):
        """Back to the seed: objects, sequences and history."""
        with self.lock, self.db:
            for table in ('objects', 'sequences', 'history', 'meta'):
                self.db.execute('DELETE FROM %s' % table)
            for cfg_type in SEED_ORDER:
                for obj in self.seed_objects[cfg_type]:
                    self._insert(self._seed_object(cfg_type, obj))
            self.db.execute("INSERT INTO meta VALUES ('seeded', ?)", (_now(),))

    def create(self, cfg_type, fields, variants, actor, lose_answer=bool):
        """Store a new object; return it and whether ``lose_answer()`` (asked once it is valid) said so."""
        with self.lock, self.db:
            obj = dict({'type': cfg_type, 'dbid': str(self._next_dbid(cfg_type))}, **defaults(cfg_type))
            obj.update({k: v for k, v in fields.items() if k != ANNEX_DELETED})  # nothing to delete yet
            self._apply_owner(obj, fields, variants)
            self._check_unique(obj, variants)
            self._insert(obj)
            lost = lose_answer()
            self._record('create', obj, None, obj, actor, lost)
            return obj, lost

    def update(self, cfg_type, dbid, fields, variants, actor):
        with self.lock, self.db:
            current = self.existing(cfg_type, dbid)
            for key, spec in SCHEMAS[cfg_type].items():
                if spec.immutable and key in fields and fields[key] != current[key]:
                    raise GaxError(400, 'CFGValueOutOfRange', "Property '%s' of %s %s cannot be changed (is '%s')"
                                   % (key, cfg_type, dbid, current[key]))
            obj = self._updated(cfg_type, current, fields, variants)
            self._apply_owner(obj, fields, variants)
            self._check_unique(obj, variants)
            self.db.execute('UPDATE objects SET body = ? WHERE type = ? AND dbid = ?',
                            (json.dumps(obj), cfg_type, int(dbid)))
            self._record('update', obj, current, obj, actor)
            return obj

    def delete(self, cfg_type, dbid, actor):
        with self.lock, self.db:
            current = self.existing(cfg_type, dbid)
            self.db.execute('DELETE FROM objects WHERE type = ? AND dbid = ?', (cfg_type, int(dbid)))
            self._record('delete', current, current, None, actor)

    # ----- rules
    @staticmethod
    def _updated(cfg_type, current, fields, variants):
        """The object after a PUT of ``fields``; what an omitted field becomes is a variant."""
        if variants['put_omitted'] == 'keep':
            obj = dict(current)  # the PUT becomes a delta: absent properties are "unchanged"
        else:
            obj = dict({'type': cfg_type, 'dbid': current['dbid']}, **defaults(cfg_type))
            obj.update({k: current[k] for k, spec in SCHEMAS[cfg_type].items() if spec.immutable})
            if 'password' in current:  # a write-only field cannot be expected back from a client
                obj['password'] = current['password']
        fields = dict(fields)
        deleted = fields.pop(ANNEX_DELETED, ())
        obj.update(fields)
        if variants['annex'] == 'merge' and ('userproperties' in fields or deleted):
            sent = fields.get('userproperties', {'property': []})['property']
            obj['userproperties'] = {'property': merge_annex(current['userproperties']['property'], sent,
                                                             variants['annex_remove'], deleted)}
        elif deleted:
            obj['userproperties'] = {'property': [p for p in obj['userproperties']['property']
                                                  if (p['section'], p['key']) not in set(deleted)]}
        return obj

    def _apply_owner(self, obj, fields, variants):
        """The switch must exist; tenant and default folder come from it."""
        switch = self.get('CfgSwitch', obj['switchdbid'])
        if switch is None:
            raise GaxError(400, 'CFGObjectNotFound', "%s refers to switch DBID '%s', which does not exist"
                           % (obj['type'], obj['switchdbid']))
        sent = fields.get('tenantdbid', '')
        if sent not in ('', switch['tenantdbid']) and variants['tenant_mismatch'] == 'reject':
            raise GaxError(400, 'CFGValueOutOfRange', "tenantdbid '%s' disagrees with switch %s (tenant %s)"
                           % (sent, switch['name'], switch['tenantdbid']))
        obj['tenantdbid'] = switch['tenantdbid']
        obj['folderid'] = self._folder(obj, switch)

    def _folder(self, obj, switch):
        wanted = FOLDER_SUBTYPE[obj['type']]
        if obj['folderid'] in ('', '0'):
            for folder in self.list('CfgFolder'):
                if (folder.get('subtype'), folder.get('ownerdbid'), folder.get('folderclass')) == \
                        (wanted, switch['dbid'], 'CFGFCDefault'):
                    return folder['dbid']
            raise GaxError(400, 'CFGObjectNotFound', 'Switch %s has no default folder for %s'
                           % (switch['name'], obj['type']))
        folder = self.get('CfgFolder', obj['folderid'])
        if folder is None or folder.get('subtype') != wanted or folder.get('ownerdbid') != switch['dbid']:
            raise GaxError(400, 'CFGObjectNotFound', 'Folder %s does not exist or cannot hold %s of switch %s'
                           % (obj['folderid'], obj['type'], switch['name']))
        return folder['dbid']

    @staticmethod
    def _rule_applies(obj, key):
        if key == 'name':
            return obj.get('name', '') != ''  # only a DN that has a name
        return key != 'number' or obj.get('subtype') not in NUMBER_SHARED_TYPES

    def _check_unique(self, obj, variants):
        for label, scope, key in UNIQUE[obj['type']]:
            if not self._rule_applies(obj, key):
                continue
            for other in self._same_key(obj['type'], key, obj[key]):
                if other['dbid'] != obj['dbid'] and self._rule_applies(other, key) \
                        and (other.get(scope), other[key]) == (obj[scope], obj[key]):
                    raise GaxError(variants['conflict_status'], 'CFGUniquenessViolation',
                                   "Uniqueness violation: %s '%s' already exists (%s %s, %s %s)"
                                   % (label, obj[key], obj['type'], other['dbid'], scope, obj[scope]))

    def _same_key(self, cfg_type, key, value):
        """The objects of ``cfg_type`` whose ``key`` is ``value`` (in DBID order, as ``list``), found by an
        index (DDL by_*): the rules above then judge them as before, so the answers are the same, and a
        create costs the same at 2400 objects as at 10. Any other key or value: every object."""
        if key not in KEYED or not isinstance(value, str):
            return self.list(cfg_type)
        with self.lock:
            rows = self.db.execute("SELECT body FROM objects INDEXED BY by_%s WHERE type = ? "
                                   "AND json_extract(body, '$.%s') = ? ORDER BY dbid" % (key, key), (cfg_type, value))
            return [json.loads(body) for body, in rows]

    # ----- plumbing
    def _seed_object(self, cfg_type, obj):
        """Seed DNs and logins may be written short: the creation defaults fill the rest."""
        if cfg_type not in SCHEMAS:
            return dict({'type': cfg_type}, **obj)
        full = dict({'type': cfg_type, 'dbid': obj['dbid']}, **defaults(cfg_type))
        full.update(obj)
        switch = self.get('CfgSwitch', full['switchdbid'])
        full['tenantdbid'] = switch['tenantdbid']
        full['folderid'] = self._folder(full, switch)
        return full

    def _next_dbid(self, cfg_type):
        row = self.db.execute('SELECT next FROM sequences WHERE type = ?', (cfg_type,)).fetchone()
        # DBIDs are never reused, even after a delete.
        dbid = row[0] if row else 101
        self.db.execute('INSERT OR REPLACE INTO sequences VALUES (?, ?)', (cfg_type, dbid + 1))
        return dbid

    def _insert(self, obj):
        dbid = int(obj['dbid'])
        self.db.execute('INSERT INTO objects VALUES (?, ?, ?)', (obj['type'], dbid, json.dumps(obj)))
        self.db.execute('INSERT INTO sequences VALUES (?, ?) ON CONFLICT(type) DO UPDATE SET next = '
                        'max(next, excluded.next)', (obj['type'], dbid + 1))

    def _record(self, action, obj, before, after, actor, answer_lost=False):
        entry = dict(actor, time=_now(), action=action, type=obj['type'], dbid=obj['dbid'],
                     answer_lost=answer_lost, before=before, after=after)
        self.db.execute('INSERT INTO history (type, action, entry) VALUES (?, ?, ?)',
                        (obj['type'], action, json.dumps(entry)))

    def _meta(self, key):
        with self.lock:
            row = self.db.execute('SELECT value FROM meta WHERE key = ?', (key,)).fetchone()
        return row[0] if row else None
