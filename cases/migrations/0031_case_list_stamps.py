from django.db import migrations, models

# Every change of what a commune's case list shows stamps the commune: its case files (and those transferred to
# it) inserted, changed or deleted, their open deadlines, their children's names. The database writes the stamps
# itself, whatever wrote the rows (services, bulk updates, imports, hand-written SQL); a stamp is committed with
# the change it records, and a page read after both is never kept under a stamp older than its rows. The
# triggers are constraint triggers, immediate by default: a long transaction (a register's import) defers them
# to its end (cases.list_stamps.stamped_at_the_end) and holds a commune's stamp only for that instant.
FORWARD = [
    # Inside cases.list_stamps.stamped_at_the_end (a register's import: tens of thousands of rows in one commune,
    # their stamps fired together at its end) a commune is stamped once: the one new stamp, committed with the
    # transaction, covers all the block wrote. The communes stamped are a transaction-local setting, undone
    # with a rolled-back savepoint as the stamps are. Elsewhere every change stamps: a transaction may read a
    # list between two of its changes.
    """
    CREATE FUNCTION cases_stamp_lists(VARIADIC communes bigint[]) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        now_stamp bigint := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
        once boolean := coalesce(current_setting('baove.stamp_once', true), '') = 'on';
        stamped text := coalesce(nullif(current_setting('baove.stamped_lists', true), ''), ',');
        fresh bigint[];
    BEGIN
        SELECT array_agg(DISTINCT commune ORDER BY commune) INTO fresh FROM unnest(communes) AS commune
        WHERE commune IS NOT NULL AND (NOT once OR position(',' || commune || ',' IN stamped) = 0);
        IF fresh IS NULL THEN
            RETURN;
        END IF;
        -- In the communes' order: two transactions stamping the same communes never wait for each other crosswise.
        INSERT INTO cases_caseliststamp (commune_id, stamp)
        SELECT commune, now_stamp FROM unnest(fresh) AS commune ORDER BY commune
        ON CONFLICT (commune_id) DO UPDATE SET stamp = GREATEST(cases_caseliststamp.stamp + 1, EXCLUDED.stamp);
        IF once THEN
            PERFORM set_config('baove.stamped_lists', stamped || array_to_string(fresh, ',') || ',', true);
        END IF;
    END $$
    """,
    # A file that comes to a child (opened, or moved to it by a merge) first waits for a correction of the
    # child's name being written: the correction's trigger then sees the file, and stamps its commune.
    """
    CREATE FUNCTION cases_casefile_stamp_lists() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.child_id IS DISTINCT FROM NEW.child_id) THEN
            PERFORM 1 FROM cases_child WHERE id = NEW.child_id FOR SHARE;
        END IF;
        IF TG_OP = 'INSERT' THEN
            PERFORM cases_stamp_lists(NEW.commune_id, NEW.transfer_to_id);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM cases_stamp_lists(OLD.commune_id, OLD.transfer_to_id);
        ELSE
            PERFORM cases_stamp_lists(OLD.commune_id, OLD.transfer_to_id, NEW.commune_id, NEW.transfer_to_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER cases_casefile_stamp_lists AFTER INSERT OR UPDATE OR DELETE ON cases_casefile
    DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION cases_casefile_stamp_lists()
    """,
    # A deadline's file's communes. Stamping may wait for a transaction that moves the file to another commune
    # (it holds the old commune's stamp); read again after it, the file's new commune is stamped too.
    """
    CREATE FUNCTION cases_stamp_lists_of_file(file_id bigint) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE seen bigint[]; seen_after bigint[];
    BEGIN
        SELECT ARRAY[commune_id, transfer_to_id] INTO seen FROM cases_casefile WHERE id = file_id;
        IF seen IS NULL THEN
            RETURN;
        END IF;
        PERFORM cases_stamp_lists(VARIADIC seen);
        SELECT ARRAY[commune_id, transfer_to_id] INTO seen_after FROM cases_casefile WHERE id = file_id;
        IF seen_after IS DISTINCT FROM seen THEN
            PERFORM cases_stamp_lists(VARIADIC seen_after);
        END IF;
    END $$
    """,
    """
    CREATE FUNCTION cases_deadline_stamp_lists() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE case_type integer;
    BEGIN
        SELECT id INTO case_type FROM django_content_type WHERE app_label = 'cases' AND model = 'casefile';
        IF TG_OP <> 'DELETE' AND NEW.target_type_id = case_type THEN
            PERFORM cases_stamp_lists_of_file(NEW.target_id);
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.target_type_id = case_type
                AND (OLD.target_type_id, OLD.target_id) IS DISTINCT FROM (NEW.target_type_id, NEW.target_id) THEN
            PERFORM cases_stamp_lists_of_file(OLD.target_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER cases_deadline_stamp_lists AFTER INSERT OR DELETE ON notifications_deadline
    DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION cases_deadline_stamp_lists()
    """,
    # The escalation's cursor (next_step, next_step_at) moves often and shows nowhere in a list.
    """
    CREATE CONSTRAINT TRIGGER cases_deadline_changed_stamp_lists AFTER UPDATE ON notifications_deadline
    DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW
    WHEN ((OLD.state, OLD.kind, OLD.starts_at, OLD.due_at, OLD.target_type_id, OLD.target_id)
          IS DISTINCT FROM (NEW.state, NEW.kind, NEW.starts_at, NEW.due_at, NEW.target_type_id, NEW.target_id))
    EXECUTE FUNCTION cases_deadline_stamp_lists()
    """,
    """
    CREATE FUNCTION cases_child_stamp_lists() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM cases_stamp_lists(VARIADIC ARRAY(
            SELECT unnest(ARRAY[commune_id, transfer_to_id]) FROM cases_casefile WHERE child_id = NEW.id));
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER cases_child_stamp_lists AFTER UPDATE ON cases_child
    DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name)
    EXECUTE FUNCTION cases_child_stamp_lists()
    """,
    # Emptying a table (TRUNCATE fires no row trigger) stamps every commune.
    """
    CREATE FUNCTION cases_stamp_every_list() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE cases_caseliststamp
        SET stamp = GREATEST(stamp + 1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER cases_casefile_truncated_stamp_lists AFTER TRUNCATE ON cases_casefile
    FOR EACH STATEMENT EXECUTE FUNCTION cases_stamp_every_list()
    """,
    """
    CREATE TRIGGER cases_deadline_truncated_stamp_lists AFTER TRUNCATE ON notifications_deadline
    FOR EACH STATEMENT EXECUTE FUNCTION cases_stamp_every_list()
    """,
    """
    CREATE TRIGGER cases_child_truncated_stamp_lists AFTER TRUNCATE ON cases_child
    FOR EACH STATEMENT EXECUTE FUNCTION cases_stamp_every_list()
    """,
    # The communes holding case files already: stamped now (a commune without a stamp has never held any).
    """
    INSERT INTO cases_caseliststamp (commune_id, stamp)
    SELECT commune, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM (
        SELECT commune_id AS commune FROM cases_casefile
        UNION SELECT transfer_to_id FROM cases_casefile WHERE transfer_to_id IS NOT NULL
    ) AS held
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_child_truncated_stamp_lists ON cases_child",
    "DROP TRIGGER IF EXISTS cases_deadline_truncated_stamp_lists ON notifications_deadline",
    "DROP TRIGGER IF EXISTS cases_casefile_truncated_stamp_lists ON cases_casefile",
    "DROP FUNCTION IF EXISTS cases_stamp_every_list()",
    "DROP TRIGGER IF EXISTS cases_child_stamp_lists ON cases_child",
    "DROP TRIGGER IF EXISTS cases_deadline_changed_stamp_lists ON notifications_deadline",
    "DROP TRIGGER IF EXISTS cases_deadline_stamp_lists ON notifications_deadline",
    "DROP TRIGGER IF EXISTS cases_casefile_stamp_lists ON cases_casefile",
    "DROP FUNCTION IF EXISTS cases_child_stamp_lists()",
    "DROP FUNCTION IF EXISTS cases_deadline_stamp_lists()",
    "DROP FUNCTION IF EXISTS cases_stamp_lists_of_file(bigint)",
    "DROP FUNCTION IF EXISTS cases_casefile_stamp_lists()",
    "DROP FUNCTION IF EXISTS cases_stamp_lists(bigint[])",
]


def forward(apps, schema_editor):
    # PostgreSQL only: elsewhere (the demo's SQLite) the case list is not kept and reads the rows each time.
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0030_drop_redundant_indexes"),
        ("notifications", "0013_notification_translations"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseListStamp",
            fields=[
                ("commune_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("stamp", models.BigIntegerField()),
            ],
            options={"verbose_name": "case list stamp"},
        ),
        migrations.RunPython(forward, backward),
    ]
