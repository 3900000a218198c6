ALTER TABLE "users" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_mime_type" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "notification_prefs" jsonb DEFAULT '{"mention":{"inApp":true,"browser":true},"assignment":{"inApp":true,"browser":true}}'::jsonb NOT NULL;