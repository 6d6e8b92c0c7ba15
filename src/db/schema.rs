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
        tokens_valid_after -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
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
diesel::allow_tables_to_appear_in_same_query!(offices, users, revoked_tokens, procedures);
