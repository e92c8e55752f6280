-- campaignd 0014: order forms.
--
-- A package's order_form lists the typed fields a local entity fills in when it orders
-- (name, label, type text|number|date|choice|boolean, required, choices, max_length,
-- min, max); campaignd checks an order's parameters against it. Editing a package, and
-- so its form, is only possible while it is being edited or rejected: after publication
-- the form changes only through a reinitialization (a new revision).
ALTER TABLE central.packages
    ADD COLUMN order_form jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(order_form) = 'array' AND jsonb_array_length(order_form) <= 50);
