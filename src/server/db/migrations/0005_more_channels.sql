CREATE TABLE "channel_state" (
	"workspace_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "channel_state_workspace_id_channel_id_key_pk" PRIMARY KEY("workspace_id","channel_id","key")
);
--> statement-breakpoint
ALTER TABLE "channel_state" ADD CONSTRAINT "channel_state_workspace_id_channel_id_channels_workspace_id_id_fk" FOREIGN KEY ("workspace_id","channel_id") REFERENCES "public"."channels"("workspace_id","id") ON DELETE cascade ON UPDATE no action;