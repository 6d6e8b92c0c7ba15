// Shared by both backends; keep in step with migrations/{sqlite,postgres}.

diesel::table! {
    offices (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        level -> Text,
        parent_id -> Nullable<Text>,
        path -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        opened_on -> Nullable<Date>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        full_name -> Text,
        role -> Text,
        office_id -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_generation -> Integer,
    }
}

diesel::table! {
    users_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    procedures (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        field -> Text,
        deadline_value -> Integer,
        deadline_unit -> Text,
        online_level -> Text,
        fee -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(users -> offices (office_id));

diesel::table! {
    calendar_exceptions (day) {
        day -> Date,
        kind -> Text,
        name -> Text,
        provisional -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Integer,
        seeded_at -> Timestamp,
    }
}

diesel::table! {
    dossiers (id) {
        id -> Text,
        code -> Text,
        office_id -> Text,
        processing_office_id -> Text,
        procedure_id -> Text,
        channel -> Text,
        status -> Text,
        applicant_name -> Text,
        applicant_name_folded -> Text,
        applicant_id_number -> Nullable<Text>,
        applicant_phone -> Nullable<Text>,
        applicant_email -> Nullable<Text>,
        applicant_address -> Nullable<Text>,
        deadline_value -> Integer,
        deadline_unit -> Text,
        submitted_at -> Timestamp,
        received_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        due_date -> Nullable<Date>,
        pauses -> Text,
        paused_since -> Nullable<Timestamp>,
        supplement_requests -> Integer,
        appointment_date -> Nullable<Date>,
        ended_at -> Nullable<Timestamp>,
        verdict -> Nullable<Text>,
        outcome -> Nullable<Text>,
        created_by -> Nullable<Text>,
        version -> Integer,
        last_event_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        rescheduled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_events (id) {
        id -> Text,
        dossier_id -> Text,
        version -> Integer,
        event_type -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
        recorded_at -> Timestamp,
        back_dated -> Bool,
        note -> Nullable<Text>,
        data -> Text,
    }
}

diesel::table! {
    dossier_sequences (office_id, day) {
        office_id -> Text,
        day -> Date,
        last_value -> Integer,
    }
}

diesel::table! {
    kiosks (id) {
        id -> Text,
        office_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    office_kiosk_ratings (office_id) {
        office_id -> Text,
        ratings -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    votes (id) {
        id -> Text,
        kiosk_id -> Text,
        office_id -> Text,
        rating -> Text,
        cast_at -> Timestamp,
        cast_date -> Date,
        cast_hour -> Integer,
        received_at -> Timestamp,
        dossier_id -> Nullable<Text>,
        procedure_id -> Nullable<Text>,
        clerk_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        content_hash -> Text,
    }
}

diesel::table! {
    targets (office_id, year, metric, field) {
        office_id -> Text,
        year -> Integer,
        metric -> Text,
        field -> Text,
        value_bp -> Integer,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    stats_rollups (scope_id, dim, grain, bucket, dim_id) {
        scope_id -> Text,
        dim -> Text,
        dim_id -> Text,
        grain -> Text,
        bucket -> Date,
        received_in_person -> Integer,
        received_online -> Integer,
        received_postal -> Integer,
        ended_early -> Integer,
        ended_on_time -> Integer,
        ended_late -> Integer,
        refused -> Integer,
        withdrawn -> Integer,
        stopped -> Integer,
        rescheduled -> Integer,
        due -> Integer,
        due_met -> Integer,
        overdue_entered -> Integer,
        overdue_left -> Integer,
        resolved_same_day -> Integer,
    }
}

diesel::table! {
    stats_deltas (id) {
        id -> BigInt,
        office_id -> Text,
        procedure_id -> Text,
        clerk_id -> Text,
        day -> Date,
        received_in_person -> Integer,
        received_online -> Integer,
        received_postal -> Integer,
        ended_early -> Integer,
        ended_on_time -> Integer,
        ended_late -> Integer,
        refused -> Integer,
        withdrawn -> Integer,
        stopped -> Integer,
        rescheduled -> Integer,
        due -> Integer,
        due_met -> Integer,
        overdue_entered -> Integer,
        overdue_left -> Integer,
        resolved_same_day -> Integer,
    }
}

diesel::table! {
    vote_rollups (scope_id, dim, grain, bucket, dim_id) {
        scope_id -> Text,
        dim -> Text,
        dim_id -> Text,
        grain -> Text,
        bucket -> Date,
        very_satisfied -> Integer,
        satisfied -> Integer,
        neutral -> Integer,
        unsatisfied -> Integer,
    }
}

diesel::table! {
    vote_deltas (id) {
        id -> BigInt,
        office_id -> Text,
        procedure_id -> Text,
        clerk_id -> Text,
        day -> Date,
        hour -> Integer,
        weekday -> Integer,
        very_satisfied -> Integer,
        satisfied -> Integer,
        neutral -> Integer,
        unsatisfied -> Integer,
    }
}

diesel::table! {
    readiness_probe (id) {
        id -> Integer,
        written_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, idempotency_key) {
        user_id -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kiosk_syncs (kiosk_id) {
        kiosk_id -> Text,
        synced_at -> Timestamp,
        queue_depth -> Integer,
        oldest_pending_at -> Nullable<Timestamp>,
        rejected -> Integer,
        app_version -> Text,
    }
}

diesel::joinable!(dossiers -> procedures (procedure_id));
diesel::joinable!(dossier_events -> dossiers (dossier_id));
diesel::allow_tables_to_appear_in_same_query!(
    offices,
    users,
    users_version,
    revoked_tokens,
    procedures,
    dossiers,
    dossier_events,
    dossier_sequences,
    calendar_exceptions,
    calendar_years,
    kiosks,
    office_kiosk_ratings,
    votes,
    targets,
    stats_rollups,
    stats_deltas,
    vote_rollups,
    vote_deltas,
    readiness_probe,
    idempotency_keys,
    kiosk_syncs
);
