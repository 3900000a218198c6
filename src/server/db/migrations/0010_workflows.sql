CREATE TABLE "workflow_credentials" (
	"workspace_id" bigint NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflow_credentials_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secret" text NOT NULL,
	"created_by_user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_credentials_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "workflow_enrollments" (
	"workspace_id" bigint NOT NULL,
	"workflow_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"first_run_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_enrollments_workspace_id_workflow_id_contact_id_pk" PRIMARY KEY("workspace_id","workflow_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "workflow_run_steps" (
	"workspace_id" bigint NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflow_run_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" bigint NOT NULL,
	"step_id" text NOT NULL,
	"kind" text NOT NULL,
	"visit" integer NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"status" text NOT NULL,
	"input" jsonb,
	"output" jsonb,
	"branch" text,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "workflow_run_steps_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "workflow_runs" (
	"workspace_id" bigint NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflow_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workflow_id" bigint NOT NULL,
	"version_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"status" text NOT NULL,
	"trigger_type" text NOT NULL,
	"started_by_kind" text NOT NULL,
	"started_by_id" bigint,
	"parent_run_id" bigint,
	"depth" integer DEFAULT 0 NOT NULL,
	"current_step_id" text,
	"seq" integer DEFAULT 0 NOT NULL,
	"vars" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"visits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"jumps" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"steps_executed" integer DEFAULT 0 NOT NULL,
	"wait_kind" text,
	"wait_until" timestamp with time zone,
	"wait_message_id" bigint,
	"wait_state" jsonb,
	"wait_log_id" bigint,
	"resume" jsonb,
	"inflight" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "workflow_runs_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "workflow_settings" (
	"workspace_id" bigint PRIMARY KEY NOT NULL,
	"allow_private_network" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_step_state" (
	"workspace_id" bigint NOT NULL,
	"workflow_id" bigint NOT NULL,
	"step_id" text NOT NULL,
	"state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_step_state_workspace_id_workflow_id_step_id_pk" PRIMARY KEY("workspace_id","workflow_id","step_id")
);
--> statement-breakpoint
CREATE TABLE "workflow_versions" (
	"workspace_id" bigint NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflow_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workflow_id" bigint NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"published_by_user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_versions_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"workspace_id" bigint NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflows_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"draft" jsonb NOT NULL,
	"draft_changed" boolean DEFAULT true NOT NULL,
	"live_version_id" bigint,
	"live_trigger_type" text,
	"last_version" integer DEFAULT 0 NOT NULL,
	"webhook_secret" text NOT NULL,
	"template_key" text,
	"created_by_user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflows_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
ALTER TABLE "workflow_credentials" ADD CONSTRAINT "workflow_credentials_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_enrollments" ADD CONSTRAINT "workflow_enrollments_workspace_id_workflow_id_workflows_workspace_id_id_fk" FOREIGN KEY ("workspace_id","workflow_id") REFERENCES "public"."workflows"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_enrollments" ADD CONSTRAINT "workflow_enrollments_workspace_id_contact_id_contacts_workspace_id_id_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_run_steps" ADD CONSTRAINT "workflow_run_steps_workspace_id_run_id_workflow_runs_workspace_id_id_fk" FOREIGN KEY ("workspace_id","run_id") REFERENCES "public"."workflow_runs"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_workspace_id_workflow_id_workflows_workspace_id_id_fk" FOREIGN KEY ("workspace_id","workflow_id") REFERENCES "public"."workflows"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_workspace_id_contact_id_contacts_workspace_id_id_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_settings" ADD CONSTRAINT "workflow_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_step_state" ADD CONSTRAINT "workflow_step_state_workspace_id_workflow_id_workflows_workspace_id_id_fk" FOREIGN KEY ("workspace_id","workflow_id") REFERENCES "public"."workflows"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD CONSTRAINT "workflow_versions_workspace_id_workflow_id_workflows_workspace_id_id_fk" FOREIGN KEY ("workspace_id","workflow_id") REFERENCES "public"."workflows"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_credentials_workspace_id_name_index" ON "workflow_credentials" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE INDEX "workflow_run_steps_workspace_id_run_id_id_index" ON "workflow_run_steps" USING btree ("workspace_id","run_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_runs_one_active" ON "workflow_runs" USING btree ("workspace_id","workflow_id","contact_id") WHERE ended_at IS NULL;--> statement-breakpoint
CREATE INDEX "workflow_runs_of_workflow" ON "workflow_runs" USING btree ("workspace_id","workflow_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "workflow_runs_of_contact" ON "workflow_runs" USING btree ("workspace_id","contact_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "workflow_runs_waiting_reply" ON "workflow_runs" USING btree ("workspace_id","contact_id") WHERE status = 'waiting' AND wait_kind = 'reply';--> statement-breakpoint
CREATE INDEX "workflow_runs_waiting_message" ON "workflow_runs" USING btree ("workspace_id","wait_message_id") WHERE status = 'waiting' AND wait_kind = 'message_status';--> statement-breakpoint
CREATE INDEX "workflow_runs_running" ON "workflow_runs" USING btree ("updated_at") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "workflow_runs_timers" ON "workflow_runs" USING btree ("wait_until") WHERE status = 'waiting' AND wait_until IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_versions_workspace_id_workflow_id_version_index" ON "workflow_versions" USING btree ("workspace_id","workflow_id","version");--> statement-breakpoint
CREATE INDEX "workflows_live_trigger" ON "workflows" USING btree ("workspace_id","live_trigger_type") WHERE live_version_id IS NOT NULL AND status = 'published';